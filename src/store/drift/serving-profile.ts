import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from '../ddl.js';

/** What ingested serving data says about each feature in a time range, enough to build a baseline. */
export interface FeatureProfile {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Numeric: type-7 quantiles at 1/B … (B−1)/B of the non-missing values (the same definition as in memory). */
  quantiles: number[];
  /** Categorical: the most frequent values with exact counts. */
  top: Array<{ value: string; count: number }>;
  observed: number;
  missing: number;
}

interface Row {
  feature: string;
  numbers: number;
  texts: number;
  missing: number;
  quantiles: number[];
}

const SCOPE = `model = {model:String} AND ({version:String} = '' OR version = {version:String})
  AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND length(hist_counts) = 0
  AND (length({features:Array(String)}) = 0 OR has({features:Array(String)}, feature))`;

/**
 * Profiles features of a model over [from, to) in ClickHouse: a feature with more numeric than text
 * observations is numeric. Only raw observations count (serving-side histograms have no raw values).
 */
export async function profileFeatures(
  client: ClickHouseClient,
  database: string,
  q: { model: string; version?: string | undefined; features?: readonly string[] | undefined; from: number; to: number; bins: number; topK: number },
): Promise<FeatureProfile[]> {
  if (!Number.isInteger(q.bins) || q.bins < 2 || q.bins > 1000) throw new Error(`bins must be an integer 2..1000, got ${q.bins}`);
  // Quantile levels are parameters of the aggregate function, so they cannot be bound; they are numbers computed here from a checked integer.
  const levels = Array.from({ length: q.bins - 1 }, (_, i) => String((i + 1) / q.bins)).join(', ');
  const params = { model: q.model, version: q.version ?? '', from: q.from, to: q.to, top_k: q.topK, features: q.features ?? [] };
  const result = await client.query({
    query: `SELECT feature, toFloat64(countIf(value IS NOT NULL)) AS numbers, toFloat64(countIf(category IS NOT NULL)) AS texts,
  toFloat64(countIf(value IS NULL AND category IS NULL)) AS missing,
  quantilesExactInclusiveIf(${levels})(assumeNotNull(value), value IS NOT NULL) AS quantiles
FROM ${qualified({ database }, 'feature_values')}
WHERE ${SCOPE}
GROUP BY feature ORDER BY feature`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const tops = await client.query({
    query: `SELECT feature, assumeNotNull(category) AS value, toFloat64(count()) AS count
FROM ${qualified({ database }, 'feature_values')}
WHERE ${SCOPE} AND category IS NOT NULL
GROUP BY feature, value ORDER BY count DESC, value LIMIT {top_k:UInt32} BY feature`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const topRows = await tops.json<{ feature: string; value: string; count: number }>();
  return (await result.json<Row>()).map((r) => ({
    feature: r.feature,
    kind: r.numbers >= r.texts ? 'numeric' : 'categorical',
    quantiles: r.quantiles,
    top: topRows.filter((t) => t.feature === r.feature).map(({ value, count }) => ({ value, count })),
    observed: r.numbers + r.texts,
    missing: r.missing,
  }));
}
