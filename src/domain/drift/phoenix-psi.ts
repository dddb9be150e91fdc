/**
 * Arize Phoenix compatibility ('phoenix' method), matching its `PSI` drift metric
 * (`phoenix.metrics`: `DiscreteDivergence` with `QuantileBinning` / categorical binning and
 * `AdditiveSmoothing(pseudocount=1)`):
 *   - Numeric bins come from the reference's deciles (probabilities 0.1 … 0.9, with 0 and 1 added):
 *     the distinct cut points c0 = min < c1 < … < c(k−1) = max become left-closed intervals
 *     (−∞, c1), [c1, c2), …, [c(k−2), +∞); with only one or two distinct cuts, (−∞, c0), [c0, +∞).
 *     So the interior edges are the distinct deciles strictly between min and max (or the min
 *     itself when there are none), with the same [lower, upper) semantics as mlwarden's bins.
 *   - Missing values get their own bin whenever either side has one.
 *   - Categorical: one bin per category seen on either side (+ missing).
 *   - Laplace smoothing: each side's proportions are (count + 1) / (N + d), d = number of bins.
 *   - PSI = KL(p‖q) + KL(q‖p) = Σ (p − q)·ln(p/q).
 * Laplace smoothing also defines PSI when a side is empty (it becomes uniform), as Phoenix does.
 */
import { quantileSorted } from './quantile.js';
import { checkAligned, resultOf, total, type PsiResult } from './psi.js';

export const PHOENIX_PSEUDOCOUNT = 1;

/** Phoenix's interior edges for a sorted finite reference and its quantile probabilities. */
export function phoenixEdges(sorted: readonly number[], probabilities: readonly number[]): number[] {
  if (sorted.length === 0) return [];
  const probs = [...new Set([0, ...probabilities, 1])].sort((a, b) => a - b);
  const cuts = [...new Set(probs.map((p) => quantileSorted(sorted, p)))].sort((a, b) => a - b);
  return cuts.length <= 2 ? [cuts[0] as number] : cuts.slice(1, -1);
}

/** Additive (Laplace/Lidstone) smoothing: (count + α) / (N + α·d). */
export function laplaceProportions(counts: readonly number[], pseudocount = PHOENIX_PSEUDOCOUNT): number[] {
  const denominator = total(counts) + pseudocount * counts.length;
  return counts.map((c) => (c + pseudocount) / denominator);
}

/** Phoenix's PSI over aligned counts; `keep` leaves out bins Phoenix would not have (an empty missing bin). */
export function phoenixPsi(refCounts: readonly number[], curCounts: readonly number[], keep: readonly boolean[] = refCounts.map(() => true), pseudocount = PHOENIX_PSEUDOCOUNT): PsiResult {
  checkAligned(refCounts, curCounts);
  const ref = laplaceProportions(refCounts.filter((_, i) => keep[i]), pseudocount);
  const cur = laplaceProportions(curCounts.filter((_, i) => keep[i]), pseudocount);
  return resultOf(refCounts, curCounts, keep, ref, cur);
}
