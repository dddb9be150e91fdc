import type { ClickHouseClient } from '@clickhouse/client';
import type { SliOf } from '../../domain/slo/index.js';
import { qualified } from '../ddl.js';

/** How a latency threshold met the data in a range: exactly (raw latencies, bucket bounds) or by interpolation. */
export interface LatencyCoverage {
  rawEvents: number;
  bucketedEvents: number;
  /** Events in buckets the threshold falls strictly inside: counted by linear interpolation. */
  interpolatedEvents: number;
  /** The bucket bounds (ms) around the threshold, most common first. */
  straddlingBuckets: Array<{ lower: number; upper: number; events: number }>;
}

/** For a latency SLI over [from, to): how many events were judged exactly and how many by interpolation. */
export async function latencyCoverage(client: ClickHouseClient, database: string, sli: SliOf<'latency'>, from: number, to: number): Promise<LatencyCoverage> {
  const filters = (['model', 'version', 'endpoint', 'namespace'] as const).filter((c) => sli[c] !== undefined);
  const params: Record<string, unknown> = { threshold: sli.threshold_ms, from, to };
  for (const c of filters) params[`f_${c}`] = sli[c];
  const where = filters.map((c) => ` AND ${c} = {f_${c}:String}`).join('');
  const rows = `SELECT latency_ms, bucket_counts, count,
    arrayFirst(x -> x.1 < {threshold:Float64} AND {threshold:Float64} < x.2,
      arrayZip(arrayMap(i -> if(i = 1, 0., bucket_bounds_ms[i - 1]), arrayEnumerate(bucket_bounds_ms)), bucket_bounds_ms, arrayMap(n -> toFloat64(n), bucket_counts))) AS straddled
  FROM ${qualified({ database }, 'requests')}
  WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})${where}`;
  const totals = await client.query({
    query: `SELECT toFloat64(sumIf(count, latency_ms IS NOT NULL)) AS raw_events, toFloat64(sumIf(count, length(bucket_counts) > 0)) AS bucketed_events,
  sum(straddled.3) AS interpolated_events FROM (${rows})`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const buckets = await client.query({
    query: `SELECT straddled.1 AS lower, straddled.2 AS upper, sum(straddled.3) AS events FROM (${rows})
WHERE straddled.3 > 0 GROUP BY lower, upper ORDER BY events DESC LIMIT 10`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const [row] = await totals.json<{ raw_events: number; bucketed_events: number; interpolated_events: number }>();
  return {
    rawEvents: row?.raw_events ?? 0,
    bucketedEvents: row?.bucketed_events ?? 0,
    interpolatedEvents: row?.interpolated_events ?? 0,
    straddlingBuckets: await buckets.json<{ lower: number; upper: number; events: number }>(),
  };
}
