import type { ClickHouseClient } from '@clickhouse/client';
import { freshMinutes, type EventCounts, type Sli, type SliOf } from '../../domain/slo/index.js';
import { qualified } from '../ddl.js';
import { hasMinuteEvents } from './minute-events.js';
import { batchKey, msParam, sharedWindowCounts } from './window-batch.js';

/** Event counts of one group (its label values) for each requested window start, all ending at `end`. */
export interface GroupCounts {
  labels: Record<string, string>;
  counts: EventCounts[];
}

export interface WindowQuery {
  sli: Sli;
  groupBy: readonly string[];
  /** Window starts (epoch ms, minute-aligned); every window ends at `end`. */
  starts: readonly number[];
  end: number;
}

/**
 * Admin-written SQL runs as a subquery (so it can only be a SELECT) under readonly = 1. The setting goes
 * in the query's SETTINGS clause: chDB applies per-request clickhouse_settings as session-wide SETs,
 * which would leave the whole embedded store read-only afterwards.
 */
const readOnly = (sql: string): string => `SELECT * FROM (${sql}) SETTINGS readonly = 1`;

async function scalar(client: ClickHouseClient, query: string, from: number, to: number): Promise<number> {
  const result = await client.query({ query: readOnly(query), query_params: { from: msParam(from), to: msParam(to) }, format: 'JSONCompactEachRow' });
  const rows = await result.json<unknown[]>();
  const value = Number(rows[0]?.[0] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

async function custom(client: ClickHouseClient, q: WindowQuery, sli: SliOf<'custom'>): Promise<GroupCounts[]> {
  const counts: EventCounts[] = [];
  for (const start of q.starts) {
    counts.push({ good: await scalar(client, sli.good_query, start, q.end), total: await scalar(client, sli.total_query, start, q.end) });
  }
  return [{ labels: {}, counts }];
}

async function freshness(client: ClickHouseClient, database: string, q: WindowQuery, sli: SliOf<'freshness'>): Promise<GroupCounts[]> {
  const thresholdMs = sli.threshold_s * 1000;
  const table = sli.source === 'features' ? 'feature_values' : 'requests';
  const earliest = Math.min(...q.starts) - thresholdMs;
  const result = await client.query({
    query: `SELECT DISTINCT toUnixTimestamp(toStartOfMinute(ts)) * 1000 AS minute FROM ${qualified({ database }, table)}
WHERE ts >= {earliest:DateTime64(3)} AND ts < {end:DateTime64(3)} AND model = {model:String} ORDER BY minute`,
    query_params: { earliest: msParam(earliest), end: msParam(q.end), model: sli.model },
    format: 'JSONEachRow',
  });
  const minutes = (await result.json<{ minute: number }>()).map((r) => r.minute);
  return [{ labels: {}, counts: q.starts.map((start) => freshMinutes(minutes, start, q.end, thresholdMs)) }];
}

/** Exact good/valid event counts per group for each window, computed in ClickHouse. */
export async function windowCounts(client: ClickHouseClient, database: string, q: WindowQuery): Promise<GroupCounts[]> {
  const sli = q.sli;
  if (hasMinuteEvents(sli)) return (await sharedWindowCounts(client, database, [q]))[0] ?? [];
  if (sli.type === 'custom') return custom(client, q, sli);
  if (sli.type === 'freshness') return freshness(client, database, q, sli);
  throw new Error(`SLI type ${sli.type} is not evaluated from the store`);
}

/**
 * windowCounts for many queries, in their order, with one ClickHouse query per batch of queries that
 * can share a read (see batchKey in window-batch.ts); the others run alone. Batches run one after
 * another and any failure rejects the call: to keep failures apart, call it once per batch (group the
 * queries by windowBatchKey first), as the SLO evaluation does.
 */
export async function windowCountsBatch(client: ClickHouseClient, database: string, queries: readonly WindowQuery[]): Promise<GroupCounts[][]> {
  const out: GroupCounts[][] = new Array<GroupCounts[]>(queries.length);
  const batches = new Map<string, number[]>();
  const alone: number[] = [];
  queries.forEach((q, i) => {
    const key = batchKey(q);
    if (key === undefined) alone.push(i);
    else if (batches.has(key)) batches.get(key)?.push(i);
    else batches.set(key, [i]);
  });
  for (const indexes of batches.values()) {
    const counts = await sharedWindowCounts(client, database, indexes.map((i) => queries[i] as WindowQuery));
    indexes.forEach((i, k) => (out[i] = counts[k] ?? []));
  }
  for (const i of alone) out[i] = await windowCounts(client, database, queries[i] as WindowQuery);
  return out;
}

export { batchKey as windowBatchKey };
