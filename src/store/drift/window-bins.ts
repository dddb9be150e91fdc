import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from '../ddl.js';

/** What binning needs to know of one feature's baseline. */
export type FeatureBins =
  | { feature: string; kind: 'numeric'; edges: readonly number[] }
  | { feature: string; kind: 'categorical'; categories: readonly string[]; known: readonly string[] };

/** Current observations of one feature in one window, aligned with its baseline's bins. */
export interface WindowBins {
  feature: string;
  windowStart: number;
  /** Numeric: edges.length + 1 bins. Categorical: one per baseline category, then "other". */
  counts: number[];
  missing: number;
  /** Categorical only: the most frequent categories the reference never had, by name. */
  unseen: Array<{ value: string; count: number }>;
  /** Categorical only: every observation of a category the reference never had (part of "other"). */
  unseenTotal: number;
  /** Serving-side histograms skipped because their edges differ from the baseline's. */
  mismatchedHistograms: number;
}

export interface WindowBinsQuery {
  model: string;
  version?: string | undefined;
  features: readonly FeatureBins[];
  from: number;
  to: number;
  /** 0: the whole range is one window. */
  windowMs: number;
}

/** Unseen categories reported per feature and window, most frequent first. */
export const UNSEEN_REPORTED = 10;

interface BinRow {
  feature: string;
  window_ms: number;
  bin: number;
  n: number;
}

interface HistogramRow {
  feature: string;
  window_ms: number;
  counts: number[];
  missing: number;
  mismatched: number;
}

interface UnseenRow {
  feature: string;
  window_ms: number;
  value: string;
  n: number;
  total: number;
}

/** Windows aligned to multiples of their length since the epoch; window_s = 0 makes [from, to) one window. */
const WINDOW = 'if({window_s:UInt32} = 0, {from:Int64}, toInt64(toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond(greatest({window_s:UInt32}, 1))))) * 1000)';

/**
 * Counts each window's observations per baseline bin inside ClickHouse; only counts come back.
 * Numeric bin = number of edges ≤ value (src/domain/drift/binning.ts); bin −1 is missing. A categorical
 * value's bin is its position among the baseline categories, or "other".
 */
export class WindowBinner {
  constructor(private readonly client: ClickHouseClient, private readonly database: string) {}

  private get table(): string {
    return qualified({ database: this.database }, 'feature_values');
  }

  private async rows<T>(query: string, q: WindowBinsQuery, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({
      query,
      query_params: {
        ...params,
        model: q.model,
        version: q.version ?? '',
        from: q.from,
        to: q.to,
        window_s: Math.round(q.windowMs / 1000),
      },
      format: 'JSONEachRow',
    });
    return result.json<T>();
  }

  private scope(features: string): string {
    return `model = {model:String} AND ({version:String} = '' OR version = {version:String})
  AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND feature IN {${features}:Array(String)}`;
  }

  async bins(q: WindowBinsQuery): Promise<WindowBins[]> {
    const numeric = q.features.filter((f) => f.kind === 'numeric');
    const categorical = q.features.filter((f) => f.kind === 'categorical');
    const out = new Map<string, WindowBins>();
    const slot = (feature: string, windowStart: number): WindowBins => {
      const key = `${feature}\u0000${windowStart}`;
      let bins = out.get(key);
      if (!bins) {
        const spec = q.features.find((f) => f.feature === feature) as FeatureBins;
        const width = spec.kind === 'numeric' ? spec.edges.length + 1 : spec.categories.length + 1;
        bins = { feature, windowStart, counts: new Array<number>(width).fill(0), missing: 0, unseen: [], unseenTotal: 0, mismatchedHistograms: 0 };
        out.set(key, bins);
      }
      return bins;
    };
    const add = (row: BinRow) => {
      const bins = slot(row.feature, row.window_ms);
      if (row.bin < 0) bins.missing += row.n;
      else bins.counts[row.bin] = (bins.counts[row.bin] ?? 0) + row.n;
    };
    if (numeric.length > 0) {
      const edges = Object.fromEntries(numeric.map((f) => [f.feature, f.edges]));
      const params = { numeric: numeric.map((f) => f.feature), edges };
      for (const row of await this.rows<BinRow>(this.numericSql(), q, params)) add(row);
      for (const row of await this.rows<HistogramRow>(this.histogramSql(), q, params)) {
        const bins = slot(row.feature, row.window_ms);
        row.counts.forEach((n, i) => (bins.counts[i] = (bins.counts[i] ?? 0) + n));
        bins.missing += row.missing;
        bins.mismatchedHistograms += row.mismatched;
      }
    }
    if (categorical.length > 0) {
      const params = {
        categorical: categorical.map((f) => f.feature),
        categories: Object.fromEntries(categorical.map((f) => [f.feature, f.categories])),
        known: Object.fromEntries(categorical.map((f) => [f.feature, f.known])),
        unseen_limit: UNSEEN_REPORTED,
      };
      for (const row of await this.rows<BinRow>(this.categoricalSql(), q, params)) add(row);
      for (const row of await this.rows<UnseenRow>(this.unseenSql(), q, params)) {
        const bins = slot(row.feature, row.window_ms);
        bins.unseen.push({ value: row.value, count: row.n });
        bins.unseenTotal = row.total;
      }
    }
    return [...out.values()].sort((a, b) => a.feature.localeCompare(b.feature) || a.windowStart - b.windowStart);
  }

  private numericSql(): string {
    return `SELECT feature, ${WINDOW} AS window_ms,
  if(value IS NULL OR isNaN(assumeNotNull(value)), toInt64(-1), toInt64(arrayCount(e -> e <= assumeNotNull(value), {edges:Map(String, Array(Float64))}[feature]))) AS bin,
  toFloat64(count()) AS n
FROM ${this.table}
WHERE ${this.scope('numeric')} AND length(hist_counts) = 0
GROUP BY feature, window_ms, bin`;
  }

  /** Serving-side histograms count when their edges equal the baseline's; others are reported, not guessed. */
  private histogramSql(): string {
    return `SELECT feature, ${WINDOW} AS window_ms,
  sumForEachIf(hist_counts, hist_edges = {edges:Map(String, Array(Float64))}[feature]) AS counts,
  toFloat64(sumIf(hist_missing, hist_edges = {edges:Map(String, Array(Float64))}[feature])) AS missing,
  toFloat64(countIf(hist_edges != {edges:Map(String, Array(Float64))}[feature])) AS mismatched
FROM ${this.table}
WHERE ${this.scope('numeric')} AND length(hist_counts) > 0
GROUP BY feature, window_ms`;
  }

  private categoricalSql(): string {
    return `SELECT feature, ${WINDOW} AS window_ms,
  multiIf(category IS NULL AND value IS NULL, toInt64(-1),
          indexOf({categories:Map(String, Array(String))}[feature], ifNull(category, toString(value))) = 0, toInt64(length({categories:Map(String, Array(String))}[feature])),
          toInt64(indexOf({categories:Map(String, Array(String))}[feature], ifNull(category, toString(value)))) - 1) AS bin,
  toFloat64(count()) AS n
FROM ${this.table}
WHERE ${this.scope('categorical')} AND length(hist_counts) = 0
GROUP BY feature, window_ms, bin`;
  }

  private unseenSql(): string {
    return `SELECT feature, window_ms, value, n, sum(n) OVER (PARTITION BY feature, window_ms) AS total FROM (
SELECT feature, ${WINDOW} AS window_ms, ifNull(category, toString(value)) AS value, toFloat64(count()) AS n
FROM ${this.table}
WHERE ${this.scope('categorical')} AND length(hist_counts) = 0 AND (category IS NOT NULL OR value IS NOT NULL)
  AND NOT has({categories:Map(String, Array(String))}[feature], value) AND NOT has({known:Map(String, Array(String))}[feature], value)
GROUP BY feature, window_ms, value)
ORDER BY n DESC, value
LIMIT {unseen_limit:UInt32} BY feature, window_ms`;
  }
}
