/**
 * Population Stability Index: PSI = Σ_b (cur_b − ref_b) · ln(cur_b / ref_b) over aligned bins, where
 * ref_b and cur_b are each side's proportions. PSI ≥ 0, symmetric in its two sides, 0 only when the
 * proportions agree (it is KL(cur‖ref) + KL(ref‖cur), Jeffreys' divergence).
 *
 * mlwarden's definition (the default; pinned in each baseline as method 'mlwarden'):
 *   1. A bin takes part when either side has an observation in it; a bin empty on both sides (a
 *      missing bin when nobody is missing, an "other" nobody falls in) is left out, and B — the bin
 *      count used by the sample-size critical value — counts only the bins taking part.
 *   2. Each side's proportions are floored at ε = 1e-4 (an empty bin counts as holding 1e-4 of that
 *      side), then the side is renormalised to sum to 1.
 * Why a floor and not Laplace smoothing: bins holding observations on both sides keep their observed
 * proportions, so when no bin is empty the value is exactly the textbook formula (the number anyone
 * computes by hand or reads from another tool with the same bins), and it does not move with the
 * window size for the same shape (Laplace +1 adds B/n of fake mass, so a 200-row and a 20,000-row
 * window with identical proportions would score differently). ε = 1e-4 caps what an emptied bin adds
 * at p·ln(p/ε) — 0.69 for a 10% bin, a clear signal; 0.046 for a 1% bin, noise-sized — and the
 * minimum window size makes sampling zeros in well-filled bins rare. Renormalising keeps both sides
 * distributions, so PSI stays ≥ 0 with equality exactly for identical inputs.
 */
import { invalidDriftInput } from './drift-error.js';

export const DEFAULT_EPSILON_FLOOR = 1e-4;

/** One bin's part of a PSI: the proportions compared (after smoothing) and the bin's contribution. */
export interface PsiTerm {
  ref: number;
  cur: number;
  contribution: number;
  /** False for a bin left out of the sum (empty on both sides under mlwarden's rule). */
  included: boolean;
}

export interface PsiResult {
  value: number;
  /** One term per input bin, in input order. */
  terms: PsiTerm[];
  /** Bins that took part in the sum (B in the critical value). */
  bins: number;
  /** Reference and current observations over the bins that took part. */
  n: number;
  m: number;
}

export const total = (counts: readonly number[]): number => counts.reduce((a, c) => a + c, 0);

/** Σ (cur − ref)·ln(cur/ref) with each bin's contribution; the proportions must be positive. */
export function psiOfProportions(ref: readonly number[], cur: readonly number[]): { value: number; contributions: number[] } {
  const contributions = ref.map((r, i) => {
    const c = cur[i] as number;
    return (c - r) * Math.log(c / r);
  });
  return { value: contributions.reduce((a, b) => a + b, 0), contributions };
}

/** Floors each proportion at ε, then rescales so the side sums to 1. */
export function floorAndRenormalise(proportions: readonly number[], epsilon: number): number[] {
  const floored = proportions.map((p) => Math.max(p, epsilon));
  const sum = floored.reduce((a, b) => a + b, 0);
  return floored.map((p) => p / sum);
}

export function checkAligned(ref: readonly number[], cur: readonly number[]): void {
  if (ref.length !== cur.length) throw invalidDriftInput('counts', `reference has ${ref.length} bins but current has ${cur.length}; counts must be aligned with the baseline's bins`);
  const bad = [...ref, ...cur].find((c) => !(c >= 0) || !Number.isFinite(c));
  if (bad !== undefined) throw invalidDriftInput('counts', `must be finite and non-negative, got ${bad}`);
}

/** Assembles a result from the bins that took part (`keep`) and their smoothed proportions. */
export function resultOf(refCounts: readonly number[], curCounts: readonly number[], keep: readonly boolean[], ref: number[], cur: number[]): PsiResult {
  const { value, contributions } = psiOfProportions(ref, cur);
  const terms: PsiTerm[] = [];
  let k = 0;
  for (const included of keep) {
    terms.push(included ? { ref: ref[k] as number, cur: cur[k] as number, contribution: contributions[k] as number, included } : { ref: 0, cur: 0, contribution: 0, included });
    if (included) k++;
  }
  const pick = (counts: readonly number[]) => total(counts.filter((_, i) => keep[i]));
  return { value, terms, bins: ref.length, n: pick(refCounts), m: pick(curCounts) };
}

/**
 * mlwarden's PSI from aligned counts (the SQL path and the in-memory path both end here).
 * Both sides need at least one observation; callers report emptier windows as insufficient.
 */
export function mlwardenPsi(refCounts: readonly number[], curCounts: readonly number[], epsilon = DEFAULT_EPSILON_FLOOR): PsiResult {
  checkAligned(refCounts, curCounts);
  const keep = refCounts.map((r, i) => r > 0 || (curCounts[i] as number) > 0);
  const n = total(refCounts);
  const m = total(curCounts);
  if (n === 0 || m === 0) throw invalidDriftInput(n === 0 ? 'reference' : 'current', 'has no observations; PSI is undefined');
  const ref = floorAndRenormalise(refCounts.filter((_, i) => keep[i]).map((c) => c / n), epsilon);
  const cur = floorAndRenormalise(curCounts.filter((_, i) => keep[i]).map((c) => c / m), epsilon);
  return resultOf(refCounts, curCounts, keep, ref, cur);
}
