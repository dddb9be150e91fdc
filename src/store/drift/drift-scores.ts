import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from '../ddl.js';

/** One scored feature-window, as the drift SLI and dashboards read it. Times are epoch ms. */
export interface DriftScoreRecord {
  ts: number;
  window_start: number;
  model: string;
  version: string;
  feature: string;
  /** 0 when the window had no usable observations (status is then 'insufficient'). */
  psi: number;
  threshold: number;
  n_reference: number;
  n_current: number;
  status: 'ok' | 'drifting' | 'insufficient';
  computed_at: number;
}

/** Writes scored windows; re-scoring a window replaces its row (ReplacingMergeTree on computed_at). */
export async function writeDriftScores(client: ClickHouseClient, database: string, rows: readonly DriftScoreRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await client.insert({ table: qualified({ database }, 'drift_scores'), values: rows as DriftScoreRecord[], format: 'JSONEachRow' });
}
