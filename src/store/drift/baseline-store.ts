import type { ClickHouseClient } from '@clickhouse/client';
import { parseBaseline, type Baseline } from '../../domain/drift/index.js';
import { qualified } from '../ddl.js';

export interface StoredBaseline {
  model: string;
  version: string;
  feature: string;
  baseline: Baseline;
  source: string;
  created_at: number;
}

interface Row {
  model: string;
  version: string;
  feature: string;
  baseline: string;
  source: string;
  created_ms: number;
}

/** Reference distributions in ClickHouse; registering again for the same model, version and feature replaces it. */
export class BaselineStore {
  constructor(private readonly client: ClickHouseClient, private readonly database: string) {}

  async save(entries: readonly StoredBaseline[]): Promise<void> {
    if (entries.length === 0) return;
    await this.client.insert({
      table: qualified({ database: this.database }, 'baselines'),
      values: entries.map((e) => ({
        model: e.model,
        version: e.version,
        feature: e.feature,
        kind: e.baseline.kind,
        edges: e.baseline.kind === 'numeric' ? e.baseline.edges : [],
        categories: e.baseline.kind === 'categorical' ? e.baseline.categories.map((c) => c.value) : [],
        baseline: JSON.stringify(e.baseline),
        source: e.source,
        created_at: e.created_at,
      })),
      format: 'JSONEachRow',
    });
  }

  async list(filter: { model?: string | undefined } = {}): Promise<StoredBaseline[]> {
    const result = await this.client.query({
      query: `SELECT model, version, feature, baseline, source, toUnixTimestamp64Milli(created_at) AS created_ms
FROM ${qualified({ database: this.database }, 'baselines')} FINAL
${filter.model === undefined ? '' : 'WHERE model = {model:String}'}
ORDER BY model, feature, version`,
      query_params: filter.model === undefined ? {} : { model: filter.model },
      format: 'JSONEachRow',
    });
    return (await result.json<Row>()).map((r) => ({
      model: r.model,
      version: r.version,
      feature: r.feature,
      baseline: parseBaseline(JSON.parse(r.baseline)),
      source: r.source,
      created_at: r.created_ms,
    }));
  }
}
