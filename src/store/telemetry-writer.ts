import type { ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import type { TelemetryKind, TelemetryRows } from '../domain/telemetry/index.js';
import { ident, qualified } from './ddl.js';
import { TELEMETRY_TABLES } from './tables.js';
import { tsvEncoder, type TsvEncoder } from './tsv-encoding.js';

/** Inserts validated telemetry rows: one INSERT per call, so a call is committed whole or not at all. */
export interface TelemetryInserter {
  insert<K extends TelemetryKind>(kind: K, rows: ReadonlyArray<TelemetryRows[K]>): Promise<void>;
}

export function telemetryInserter(client: ClickHouseClient, database: string): TelemetryInserter {
  const encoders = new Map<TelemetryKind, TsvEncoder>();
  for (const [kind, spec] of Object.entries(TELEMETRY_TABLES)) encoders.set(kind as TelemetryKind, tsvEncoder(spec));
  return {
    async insert(kind, rows) {
      if (rows.length === 0) return;
      const encoder = encoders.get(kind) as TsvEncoder;
      const body = Buffer.from(encoder.encode(rows as unknown as Array<Record<string, unknown>>));
      await client.insert({
        table: qualified({ database }, TELEMETRY_TABLES[kind].name),
        columns: encoder.columns.map(ident) as [string, ...string[]],
        values: Readable.from([body], { objectMode: false }),
        format: 'TabSeparated',
      });
    },
  };
}

