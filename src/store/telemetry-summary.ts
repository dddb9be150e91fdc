import type { ClickHouseClient } from '@clickhouse/client';
import type { TelemetryKind } from '../domain/telemetry/index.js';
import { qualified } from './ddl.js';
import { TELEMETRY_TABLES } from './tables.js';

export interface SummaryQuery {
  from: number;
  to: number;
  kinds: readonly TelemetryKind[];
  model?: string | undefined;
}

export interface SummaryRow {
  kind: TelemetryKind;
  /** Model for requests/features/runs; for gpu samples, the namespace. */
  group: string;
  records: number;
  /** Requests: requests counted (batches expand); features: observations; otherwise records. */
  events: number;
  first_ts: string;
  last_ts: string;
}

interface RawSummaryRow extends Omit<SummaryRow, 'first_ts' | 'last_ts'> {
  first_ms: number;
  last_ms: number;
}

const EVENTS: Record<TelemetryKind, string> = { runs: 'count()', gpu: 'count()', requests: 'sum(count)', features: 'sum(observations)' };
const GROUP: Record<TelemetryKind, string> = { runs: 'model', gpu: 'namespace', requests: 'model', features: 'model' };

function summarySql(kind: TelemetryKind, database: string, filterModel: boolean): string {
  const group = GROUP[kind];
  return [
    `SELECT {kind:String} AS kind, toString(${group}) AS group, toUInt64(count()) AS records, toUInt64(${EVENTS[kind]}) AS events,`,
    '  toUnixTimestamp64Milli(min(ts)) AS first_ms, toUnixTimestamp64Milli(max(ts)) AS last_ms',
    `FROM ${qualified({ database }, TELEMETRY_TABLES[kind].name)}`,
    'WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})',
    filterModel ? `  AND ${group} = {model:String}` : '',
    `GROUP BY ${group} ORDER BY ${group}`,
  ].join('\n');
}

/** What landed: records and events per kind and model (namespace for GPUs) in [from, to). */
export async function telemetrySummary(client: ClickHouseClient, database: string, q: SummaryQuery): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  for (const kind of q.kinds) {
    const result = await client.query({
      query: summarySql(kind, database, q.model !== undefined),
      query_params: { kind, from: q.from, to: q.to, ...(q.model !== undefined ? { model: q.model } : {}) },
      format: 'JSONEachRow',
    });
    for (const { first_ms, last_ms, ...row } of await result.json<RawSummaryRow>()) {
      rows.push({ ...row, first_ts: new Date(first_ms).toISOString(), last_ts: new Date(last_ms).toISOString() });
    }
  }
  return rows;
}
