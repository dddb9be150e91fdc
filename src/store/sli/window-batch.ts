import type { ClickHouseClient } from '@clickhouse/client';
import { ident } from '../ddl.js';
import type { FilterShape } from './label-filter.js';
import { eventSource, hasMinuteEvents, isRowwise, sliFilters, sliParameterKey, type MinuteEventsSli } from './minute-events.js';
import type { GroupCounts, WindowQuery } from './window-counts.js';

/**
 * Many SLOs, one read. SLOs whose SLIs count events the same way (same kind and parameters such as a
 * latency threshold) and end at the same instant share one query: it reads the rows any of them
 * filters for, groups by every label any of them filters or groups on, and sums good/total per window
 * start any of them needs. Each SLO then takes the rows matching its own filter values and sums them
 * by its own group labels. The numbers are those of one query per SLO; the work is one pass.
 *
 * Row-wise kinds (requests, rollup minutes, drift windows) batch regardless of filter columns, group
 * labels and windows. Per-entity kinds (runs, GPU-minutes) first aggregate an entity's rows inside the
 * range, so they batch only with the same filter columns and the same earliest start.
 */

const MINUTE = 60_000;
const ceilMinute = (ms: number): number => Math.ceil(ms / MINUTE) * MINUTE;

/** SLOs with the same key can share one query; undefined: the query runs alone (custom, freshness). */
export function batchKey(q: WindowQuery): string | undefined {
  const sli = q.sli;
  if (!hasMinuteEvents(sli)) return undefined;
  if (isRowwise(sli)) return `${sliParameterKey(sli)}|${q.end}`;
  return `${sliParameterKey(sli)}|${sliFilters(sli).columns.join(',')}|${Math.min(...q.starts)}|${q.end}`;
}

/** DateTime64(3) parameter text: seconds with milliseconds, unambiguous in any server time zone. */
export function msParam(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** A window start bound for the source's time column (starts compared are whole minutes, so DateTime is exact). */
const startParam = (ms: number, type: 'DateTime' | 'DateTime64(3)'): string => (type === 'DateTime' ? String(Math.round(ms / 1000)) : msParam(ms));

interface Row {
  labels: string[];
  present: number[];
  good: number[];
  total: number[];
}

interface Member {
  q: WindowQuery;
  filters: { columns: string[]; values: string[] };
  /** Index of each of the query's starts in the batch's start list. */
  startIndex: number[];
  /** Index in `present` of the count of rows inside this query's own range. */
  presentIndex: number;
}

/** Counts for queries sharing one batchKey, from one ClickHouse query; results in the order of `queries`. */
export async function sharedWindowCounts(client: ClickHouseClient, database: string, queries: readonly WindowQuery[]): Promise<GroupCounts[][]> {
  const first = queries[0];
  if (!first) return [];
  const key = batchKey(first);
  if (key === undefined || queries.some((q) => batchKey(q) !== key)) throw new Error('queries of one shared read must have the same batch key');
  const sli = first.sli as MinuteEventsSli;
  const end = first.end;
  // Window starts compare as whole minutes: a row is in a minute at or after s iff its time is at or after s rounded up.
  const starts = [...new Set(queries.flatMap((q) => q.starts.map(ceilMinute)))].sort((a, b) => a - b);
  const earliest = Math.min(...queries.flatMap((q) => q.starts));
  const earliests = [...new Set(queries.map((q) => Math.min(...q.starts)))].sort((a, b) => a - b);
  const members: Member[] = queries.map((q) => ({
    q,
    filters: sliFilters(q.sli as MinuteEventsSli),
    startIndex: q.starts.map((s) => starts.indexOf(ceilMinute(s))),
    presentIndex: earliests.indexOf(Math.min(...q.starts)),
  }));
  const shapes: FilterShape[] = members.map((m) => ({ columns: m.filters.columns, tuples: [m.filters.values] }));
  const source = eventSource(sli, database, shapes);
  const groupColumns = [...new Set(members.flatMap((m) => [...m.filters.columns, ...m.q.groupBy]))].sort();
  for (const c of groupColumns) {
    if (!source.labels.includes(c)) throw new Error(`SLI type ${sli.type} has no label ${c}`);
  }
  const columns = groupColumns.map(ident);
  const params: Record<string, unknown> = { ...source.params, earliest: msParam(earliest), end: msParam(end) };
  const at = (name: string, ms: number) => {
    params[name] = startParam(ms, source.timeType);
    return `__t >= {${name}:${source.timeType}}`;
  };
  // Rows inside each SLO's own range: a group exists for an SLO only if it has rows there (as alone).
  const present = earliests.map((e, i) => (e === earliest ? 'count()' : `countIf(${at(`e${i}`, ceilMinute(e))})`));
  const sums = (column: string) => `[${starts.map((s, i) => `toFloat64(sumIf(${column}, ${at(`w${i}`, s)}))`).join(', ')}]`;
  const sql = `SELECT [${columns.map((c) => `toString(${c})`).join(', ')}] AS labels, [${present.join(', ')}] AS present,
  ${sums('__good')} AS good, ${sums('__total')} AS total
FROM (
  SELECT ${[`${source.time} AS __t`, ...columns, `${source.good} AS __good`, `${source.total} AS __total`].join(', ')}
  FROM ${source.from}
)${columns.length > 0 ? `\nGROUP BY ${columns.join(', ')}` : ''}`;
  const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  const rows = (await result.json<Row>()).map((r) => ({ ...r, labels: Object.fromEntries(groupColumns.map((c, i) => [c, r.labels[i] ?? ''])) }));
  return split(members, rows);
}

/** Each SLO's groups: the rows matching its filter values, summed by its group labels. */
function split(members: readonly Member[], rows: ReadonlyArray<Omit<Row, 'labels'> & { labels: Record<string, string> }>): GroupCounts[][] {
  const byFilter = new Map<string, Map<string, Array<(typeof rows)[number]>>>();
  const rowsFor = (m: Member) => {
    const columnsKey = m.filters.columns.join(',');
    let index = byFilter.get(columnsKey);
    if (!index) {
      index = new Map();
      for (const row of rows) {
        const key = JSON.stringify(m.filters.columns.map((c) => row.labels[c]));
        const list = index.get(key);
        if (list) list.push(row);
        else index.set(key, [row]);
      }
      byFilter.set(columnsKey, index);
    }
    return index.get(JSON.stringify(m.filters.values)) ?? [];
  };
  return members.map((m) => {
    const groups = new Map<string, GroupCounts>();
    for (const row of rowsFor(m)) {
      if (!((row.present[m.presentIndex] ?? 0) > 0)) continue;
      const labels = Object.fromEntries(m.q.groupBy.map((c) => [c, row.labels[c] ?? '']));
      const key = JSON.stringify(m.q.groupBy.map((c) => labels[c]));
      let group = groups.get(key);
      if (!group) {
        group = { labels, counts: m.q.starts.map(() => ({ good: 0, total: 0 })) };
        groups.set(key, group);
      }
      m.startIndex.forEach((i, w) => {
        const c = group.counts[w] as { good: number; total: number };
        c.good += row.good[i] ?? 0;
        c.total += row.total[i] ?? 0;
      });
    }
    return [...groups.values()];
  });
}
