/**
 * Evidently compatibility ('evidently' method), so users migrating from Evidently's `psi` stat test
 * get its numbers. What Evidently does (legacy `stattests/psi.py` + `get_binned_data`):
 *   - Missing and infinite values are dropped before the test (no missing bin: a spike of nulls is
 *     invisible in this mode).
 *   - A numeric column with ≤ 20 distinct reference values is treated as categorical.
 *   - Categorical: one bin per value seen on either side (no top-K, no "other").
 *   - Numeric: numpy's `histogram_bin_edges(reference ∪ current, bins="sturges")`: equal-width bins
 *     from min to max of both samples combined, ⌈log2(n_ref + n_cur) + 1⌉ of them (as numpy computes
 *     it in floating point); bins are [e_i, e_i+1) except the last, which is closed. Its `n_bins`
 *     option is ignored (Evidently issue #1400); so is ours here, with a warning from the report.
 *   - Proportions are count / size of that side; on each side separately, empty bins are filled
 *     with m/1e6 if the smallest non-zero proportion m ≤ 1e-4, else with 1e-4; no renormalising.
 *   - PSI = Σ (ref − cur)·ln(ref/cur), the same sum as ours.
 * On a stored baseline (the online path) only the last two can apply: the bins stay the baseline's
 * (equal-width bins over both samples cannot be stored), missing values are left out.
 */
import type { AlignedBins } from './baseline-psi.js';
import { formatEdge } from './binning.js';
import { invalidDriftInput } from './drift-error.js';
import { checkAligned, resultOf, total, type PsiResult } from './psi.js';

export const EVIDENTLY_CATEGORICAL_MAX_DISTINCT = 20;
const EVIDENTLY_FILL = 1e-4;

/** Evidently's empty-bin fill for one side's proportions (no renormalisation). */
export function evidentlyFill(proportions: readonly number[], fill = EVIDENTLY_FILL): number[] {
  const nonZero = proportions.filter((p) => p !== 0);
  if (nonZero.length === 0) return [...proportions];
  const smallest = nonZero.reduce((a, b) => (b < a ? b : a));
  const value = smallest <= fill ? smallest / 1e6 : fill;
  return proportions.map((p) => (p === 0 ? value : p));
}

/**
 * Evidently's PSI over aligned counts. Every bin given takes part (Evidently keeps empty histogram
 * bins) unless `keep` leaves some out (a stored baseline's missing bin, a category nobody has).
 */
export function evidentlyPsi(refCounts: readonly number[], curCounts: readonly number[], keep: readonly boolean[] = refCounts.map(() => true), fill = EVIDENTLY_FILL): PsiResult {
  checkAligned(refCounts, curCounts);
  const refKept = refCounts.filter((_, i) => keep[i]);
  const curKept = curCounts.filter((_, i) => keep[i]);
  const n = total(refKept);
  const m = total(curKept);
  if (n === 0 || m === 0) throw invalidDriftInput(n === 0 ? 'reference' : 'current', 'has no observations; PSI is undefined');
  const ref = evidentlyFill(refKept.map((c) => c / n), fill);
  const cur = evidentlyFill(curKept.map((c) => c / m), fill);
  return resultOf(refCounts, curCounts, keep, ref, cur);
}

/**
 * Number of Sturges bins as numpy computes it: width = ptp / (log2(size) + 1), bins = ⌈ptp / width⌉
 * (so floating point can add one bin at powers of two, exactly as numpy does). Integer data never
 * gets bins narrower than 1.
 */
export function sturgesBinCount(size: number, ptp: number, integerData: boolean): number {
  if (size === 0) return 1;
  let width = ptp / (Math.log2(size) + 1);
  if (width === 0) return 1;
  if (integerData && width < 1) width = 1;
  return Math.ceil(ptp / width);
}

/** All bin edges (outer ones included) of numpy's Sturges histogram over both samples' finite values. */
export function evidentlyEdges(reference: readonly number[], current: readonly number[], integerData = false): number[] {
  let first = Infinity;
  let last = -Infinity;
  let size = 0;
  for (const side of [reference, current]) {
    for (const v of side) {
      if (!Number.isFinite(v)) continue;
      size++;
      if (v < first) first = v;
      if (v > last) last = v;
    }
  }
  if (size === 0) return [-0.5, 0.5];
  const bins = sturgesBinCount(size, last - first, integerData);
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? last : i * step + first));
}

/** Counts per numpy histogram bin: [e_i, e_i+1) except the last bin, which also takes e_last; outside values are dropped. */
export function countEqualWidth(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges[edges.length - 1] as number;
  for (const v of values) {
    if (!(v >= (edges[0] as number) && v <= last)) continue;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((edges[mid] as number) <= v) lo = mid + 1;
      else hi = mid;
    }
    counts[Math.min(lo - 1, counts.length - 1)]! += 1;
  }
  return counts;
}

/** Evidently's numeric bins for two raw samples (missing values already dropped), labelled for reports. */
export function evidentlyNumericBins(reference: readonly number[], current: readonly number[], integerData = false): AlignedBins {
  const edges = evidentlyEdges(reference, current, integerData);
  const labels = edges.slice(0, -1).map((lo, i) => `[${formatEdge(lo)}, ${formatEdge(edges[i + 1] as number)}${i === edges.length - 2 ? ']' : ')'}`);
  return { labels, roles: labels.map(() => 'bin' as const), ref: countEqualWidth(reference, edges), cur: countEqualWidth(current, edges) };
}
