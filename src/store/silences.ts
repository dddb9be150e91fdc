import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './ddl.js';

/** A silence as stored: exact label matchers active between starts_at and ends_at (epoch ms). */
export interface SilenceRecord {
  id: string;
  matchers: Record<string, string>;
  starts_at: number;
  ends_at: number;
  comment: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

interface Row extends Omit<SilenceRecord, 'starts_at' | 'ends_at' | 'created_at' | 'updated_at'> {
  starts_ms: number;
  ends_ms: number;
  created_ms: number;
  updated_ms: number;
}

export class SilenceStore {
  constructor(private readonly client: ClickHouseClient, private readonly database: string) {}

  async save(silence: SilenceRecord, deleted = false): Promise<void> {
    await this.client.insert({
      table: qualified({ database: this.database }, 'silences'),
      values: [{ ...silence, deleted: deleted ? 1 : 0 }],
      format: 'JSONEachRow',
    });
  }

  /** Silences not deleted; with `activeAt`, only those in force at that instant. */
  async list(options: { activeAt?: number; id?: string } = {}): Promise<SilenceRecord[]> {
    const conditions = ['deleted = 0'];
    if (options.activeAt !== undefined) conditions.push('starts_at <= fromUnixTimestamp64Milli({at:Int64}) AND ends_at > fromUnixTimestamp64Milli({at:Int64})');
    if (options.id !== undefined) conditions.push('id = {id:String}');
    const result = await this.client.query({
      query: `SELECT id, matchers, comment, created_by, toUnixTimestamp64Milli(starts_at) AS starts_ms, toUnixTimestamp64Milli(ends_at) AS ends_ms,
  toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms
FROM ${qualified({ database: this.database }, 'silences')} FINAL
WHERE ${conditions.join(' AND ')}
ORDER BY starts_at, id`,
      query_params: { at: options.activeAt ?? 0, id: options.id ?? '' },
      format: 'JSONEachRow',
    });
    return (await result.json<Row>()).map(({ starts_ms, ends_ms, created_ms, updated_ms, ...rest }) => ({
      ...rest,
      starts_at: starts_ms,
      ends_at: ends_ms,
      created_at: created_ms,
      updated_at: updated_ms,
    }));
  }

  async delete(id: string, now: number): Promise<boolean> {
    const [existing] = await this.list({ id });
    if (!existing) return false;
    await this.save({ ...existing, updated_at: Math.max(now, existing.updated_at + 1) }, true);
    return true;
  }
}
