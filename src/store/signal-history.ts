/** Stored signal history for a backtest: scored drift windows and alert state changes over a time range. */
import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './ddl.js';

export interface ScoredWindowRow {
  model: string;
  feature: string;
  window_start: number;
  window_end: number;
  status: 'ok' | 'drifting' | 'insufficient';
  psi: number;
}

/**
 * Every scored feature-window starting in [from, to), the latest scoring of each (a window is
 * re-scored each drift cycle, and a new baseline version scores it again under its own version).
 */
export async function scoredWindowsBetween(client: ClickHouseClient, database: string, from: number, to: number, model?: string): Promise<ScoredWindowRow[]> {
  const result = await client.query({
    // Aliases must not shadow columns: ClickHouse substitutes aliases in WHERE.
    query: `SELECT model, feature, toUnixTimestamp64Milli(window_start) AS start_ms,
  toUnixTimestamp64Milli(argMax(ts, computed_at)) AS end_ms, argMax(status, computed_at) AS status, argMax(psi, computed_at) AS psi
FROM ${qualified({ database }, 'drift_scores')}
WHERE window_start >= fromUnixTimestamp64Milli({from:Int64}) AND window_start < fromUnixTimestamp64Milli({to:Int64})${model === undefined ? '' : ' AND model = {model:String}'}
GROUP BY model, feature, window_start
ORDER BY model, feature, start_ms`,
    query_params: { from, to, model: model ?? '' },
    format: 'JSONEachRow',
  });
  const rows = await result.json<Omit<ScoredWindowRow, 'window_start' | 'window_end'> & { start_ms: number; end_ms: number }>();
  return rows.map(({ start_ms, end_ms, ...r }) => ({ ...r, window_start: Number(start_ms), window_end: Number(end_ms), psi: Number(r.psi) }));
}

export interface AlertChangeRow {
  ts: number;
  slo: string;
  severity: string;
  dedupe_key: string;
  group_labels: Record<string, string>;
  state: string;
  since: number;
  firing_since: number | null;
}

/** Alert state changes in [from, to], oldest first. */
export async function alertChangesBetween(client: ClickHouseClient, database: string, from: number, to: number): Promise<AlertChangeRow[]> {
  const result = await client.query({
    query: `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, slo, severity, dedupe_key, group_labels, state,
  toUnixTimestamp64Milli(since) AS since, toUnixTimestamp64Milli(firing_since) AS firing_since
FROM ${qualified({ database }, 'alert_events')}
WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
ORDER BY ts_ms, dedupe_key`,
    query_params: { from, to },
    format: 'JSONEachRow',
  });
  const rows = await result.json<Omit<AlertChangeRow, 'ts'> & { ts_ms: number }>();
  return rows.map(({ ts_ms, ...r }) => ({ ...r, ts: Number(ts_ms), since: Number(r.since), firing_since: r.firing_since === null ? null : Number(r.firing_since) }));
}

export interface RunChangeRow {
  ts: number;
  run_id: string;
  namespace: string;
  state: string;
  attempt: number;
  priority: number;
  gpus: number;
  created_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  labels: Record<string, string>;
}

/** State changes in [from, to] of runs holding GPUs (the run collector's rows of Jobs and training jobs), oldest first. */
export async function runChangesBetween(client: ClickHouseClient, database: string, from: number, to: number): Promise<RunChangeRow[]> {
  const result = await client.query({
    query: `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, run_id, namespace, state, attempt, priority, gpus,
  toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(started_at) AS started_ms, toUnixTimestamp64Milli(finished_at) AS finished_ms, labels
FROM ${qualified({ database }, 'runs')}
WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64}) AND gpus > 0
ORDER BY ts_ms, run_id, attempt`,
    query_params: { from, to },
    format: 'JSONEachRow',
  });
  type Raw = Omit<RunChangeRow, 'ts' | 'created_at' | 'started_at' | 'finished_at'> & { ts_ms: number; created_ms: number | null; started_ms: number | null; finished_ms: number | null };
  const at = (v: number | string | null) => (v === null ? null : Number(v));
  return (await result.json<Raw>()).map(({ ts_ms, created_ms, started_ms, finished_ms, ...r }) => ({
    ...r, ts: Number(ts_ms), attempt: Number(r.attempt), priority: Number(r.priority), gpus: Number(r.gpus), created_at: at(created_ms), started_at: at(started_ms), finished_at: at(finished_ms),
  }));
}
