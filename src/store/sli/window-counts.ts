import type { ClickHouseClient } from '@clickhouse/client';
import { freshMinutes, type EventCounts, type Sli, type SliOf } from '../../domain/slo/index.js';
import { ident, qualified } from '../ddl.js';
import { hasMinuteEvents, minuteEvents } from './minute-events.js';

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

interface Row {
  labels: string[];
  good: number[];
  total: number[];
}

async function fromMinuteEvents(client: ClickHouseClient, database: string, q: WindowQuery, sli: Parameters<typeof minuteEvents>[0]): Promise<GroupCounts[]> {
  const events = minuteEvents(sli, database);
  const groupBy = q.groupBy.map(ident);
  const sumFor = (column: string) => `sumForEach(arrayMap(s -> if(minute >= s, ${column}, 0.), {starts:Array(DateTime64(3))}))`;
  const sql = `SELECT [${groupBy.map((c) => `toString(${c})`).join(', ')}] AS labels, ${sumFor('good')} AS good, ${sumFor('total')} AS total
FROM (${events.sql})
GROUP BY ${groupBy.length > 0 ? groupBy.join(', ') : 'tuple()'}`;
  const earliest = Math.min(...q.starts);
  const result = await client.query({
    query: sql,
    query_params: { ...events.params, starts: q.starts.map(msParam), earliest: msParam(earliest), end: msParam(q.end) },
    format: 'JSONEachRow',
  });
  const rows = await result.json<Row>();
  return rows
    .filter((r) => r.total.length > 0)
    .map((r) => ({
      labels: Object.fromEntries(q.groupBy.map((label, i) => [label, r.labels[i] ?? ''])),
      counts: q.starts.map((_, i) => ({ good: r.good[i] ?? 0, total: r.total[i] ?? 0 })),
    }));
}

/** DateTime64(3) parameter text: seconds with milliseconds, unambiguous in any server time zone. */
function msParam(ms: number): string {
  return (ms / 1000).toFixed(3);
}

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
  if (hasMinuteEvents(sli)) return fromMinuteEvents(client, database, q, sli);
  if (sli.type === 'custom') return custom(client, q, sli);
  if (sli.type === 'freshness') return freshness(client, database, q, sli);
  throw new Error(`SLI type ${sli.type} is not evaluated from the store`);
}
