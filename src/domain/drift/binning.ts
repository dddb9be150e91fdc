/**
 * Numeric binning: quantile edges from a reference, and counting values against stored edges.
 *
 * Edge semantics: the in-memory path (CLI) and the ClickHouse path MUST count identically.
 * Given interior edges e0 < e1 < … < e(k−1) (k ≥ 0, finite Float64), a value goes to:
 *   - the missing count when it is NULL or NaN (never to a bin);
 *   - bin 0 when value < e0;
 *   - bin i when e(i−1) ≤ value < e(i), for 1 ≤ i ≤ k−1;
 *   - bin k when value ≥ e(k−1).
 * That is: bin = the number of edges ≤ value (0-based, k+1 bins). A value equal to an edge goes to
 * the bin on its right; −∞ goes to bin 0 and +∞ to bin k; with no edges (k = 0) every non-missing
 * value is in bin 0. In ClickHouse, with the value as Float64 (not Float32, whose rounding would
 * move values across edges) and the edges passed as a query parameter:
 *   if(isNull(value) OR isNaN(value), missing, arrayCount(e -> e <= value, {edges:Array(Float64)}))
 *
 * Edges from a reference: the type-7 quantiles (see quantile.ts; ClickHouse
 * `quantilesExactInclusive(1/B, …, (B−1)/B)`) of its finite values, sorted, duplicates collapsed
 * (`edgesFromQuantiles`). B = 10 bins by default; a feature with a single value yields one edge and
 * two bins; a reference with no finite value yields no edge and one bin.
 */
import { parseBaseline, type NumericBaseline, type PsiMethod } from './baseline.js';
import { invalidDriftInput } from './drift-error.js';
import { phoenixEdges } from './phoenix-psi.js';
import { binProbabilities, quantileSorted, sortedFinite } from './quantile.js';

export const DEFAULT_BINS = 10;
export const MAX_BINS = 1000;

/** Per-window counts aligned with a numeric baseline's bins: what the SQL returns for one (model, feature, window). */
export interface NumericWindowCounts {
  /** One count per baseline bin: edges.length + 1 entries. */
  counts: number[];
  missing: number;
}

export const isMissingNumber = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

/** The bin of a non-missing value: the number of edges ≤ value (binary search). */
export function binIndex(value: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts values against edges exactly as the SQL path does (see the file header). */
export function countNumeric(values: Iterable<number | null | undefined>, edges: readonly number[]): NumericWindowCounts {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let missing = 0;
  for (const v of values) {
    if (isMissingNumber(v)) missing++;
    else counts[binIndex(v, edges)]! += 1;
  }
  return { counts, missing };
}

/** Sorted, de-duplicated finite cut points: quantiles computed anywhere (here or in SQL) become edges. */
export function edgesFromQuantiles(quantiles: readonly number[]): number[] {
  const sorted = quantiles.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.filter((q, i) => i === 0 || q > (sorted[i - 1] as number));
}

/** mlwarden's edges: the reference's 1/B … (B−1)/B quantiles, duplicates collapsed. */
export function quantileEdges(sorted: readonly number[], bins: number): number[] {
  if (sorted.length === 0) return [];
  return edgesFromQuantiles(binProbabilities(bins).map((p) => quantileSorted(sorted, p)));
}

export interface NumericBaselineOptions {
  /** Target number of bins (default 10); fewer when quantiles coincide. */
  bins?: number;
  method?: PsiMethod;
  epsilon?: number;
}

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 2 || bins > MAX_BINS) throw invalidDriftInput('bins', `must be an integer from 2 to ${MAX_BINS}, got ${bins}`);
}

/**
 * Builds a numeric baseline from reference values. Edges follow the method: mlwarden's quantile
 * edges (also used for 'evidently', whose own equal-width bins depend on the current data and so
 * cannot be stored), or Phoenix's quantile intervals for 'phoenix'.
 */
export function buildNumericBaseline(values: readonly (number | null | undefined)[], options: NumericBaselineOptions = {}): NumericBaseline {
  const bins = options.bins ?? DEFAULT_BINS;
  checkBins(bins);
  const method = options.method ?? 'mlwarden';
  const sorted = sortedFinite(values);
  const edges = method === 'phoenix' ? phoenixEdges(sorted, binProbabilities(bins)) : quantileEdges(sorted, bins);
  const { counts, missing } = countNumeric(values, edges);
  return numericBaselineFromCounts({ edges, counts, missing }, { method, epsilon: options.epsilon });
}

/** A numeric baseline from counts made elsewhere (the SQL path, a pre-binned histogram); validated. */
export function numericBaselineFromCounts(
  parts: { edges: number[]; counts: number[]; missing: number },
  options: { method?: PsiMethod; epsilon?: number | undefined } = {},
): NumericBaseline {
  const baseline = parseBaseline({ kind: 'numeric', ...parts, method: options.method ?? 'mlwarden', epsilon: options.epsilon });
  return baseline as NumericBaseline;
}

/** An edge as labels show it: 10 significant digits, so 40.900000000000006 reads 40.9. */
export const formatEdge = (x: number): string => String(Number(x.toPrecision(10)));

/** Human-readable interval labels for a numeric baseline's bins, e.g. "(-inf, 0.5)", "[0.5, 2)", "[2, +inf)". */
export function numericBinLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['(-inf, +inf)'];
  const lower = ['-inf', ...edges.map(formatEdge)];
  return lower.map((lo, i) => `${i === 0 ? '(' : '['}${lo}, ${i < edges.length ? formatEdge(edges[i] as number) : '+inf'})`);
}
