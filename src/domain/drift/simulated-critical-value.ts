/**
 * For small windows, the no-drift critical value by parametric bootstrap instead of the χ² limit.
 * At n = m = 100, PSI's null tail is heavier than χ²(B−1) predicts (about 1.5α false alarms with
 * the small-sample factor), because proportions are discrete and the ε floor turns sampling zeros
 * into large terms. So: draw both sides from the pooled proportions p̄ (what "no change" means for
 * this window), score each pair with the same PSI (mlwardenPsi: ε floor, bins empty on both sides
 * left out), and take the ⌈(R+1)(1−α)⌉-th smallest of R draws — the order statistic whose
 * exceedance probability is α for exchangeable draws. A fixed seed per (p̄, n, m, α) makes the
 * value deterministic: the same window always gets the same verdict.
 */
import { DEFAULT_EPSILON_FLOOR } from './psi.js';

/** R: with ⌈(R+1)(1−α)⌉ as the rank, 999 draws give α exactly for α = 1%, 5%, 10%. */
export const SIMULATION_DRAWS = 999;
/** Above this many observations on the smaller side the χ² limit (with its factor) is accurate enough. */
export const SIMULATE_BELOW = 1000;

/** mulberry32: small, fast, seedable; enough for sampling (not for cryptography). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(pooled: readonly number[], n: number, m: number, alpha: number): number {
  let h = 0x811c9dc5;
  for (const x of [...pooled.map((p) => Math.round(p * 1e6)), n, m, Math.round(alpha * 1e6)]) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return h;
}

/** Counts of `size` draws over bins with cumulative probabilities `cumulative`. */
function multinomial(cumulative: readonly number[], size: number, random: () => number): number[] {
  const counts = new Array<number>(cumulative.length).fill(0);
  for (let i = 0; i < size; i++) {
    const u = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < (cumulative[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    counts[lo] = (counts[lo] as number) + 1;
  }
  return counts;
}

/** mlwardenPsi of two count vectors (bins empty on both sides left out, ε floor, renormalised), without allocating. */
function psiOfCounts(ref: readonly number[], cur: readonly number[], n: number, m: number, epsilon = DEFAULT_EPSILON_FLOOR): number {
  let refSum = 0;
  let curSum = 0;
  for (let i = 0; i < ref.length; i++) {
    if ((ref[i] as number) + (cur[i] as number) === 0) continue;
    refSum += Math.max((ref[i] as number) / n, epsilon);
    curSum += Math.max((cur[i] as number) / m, epsilon);
  }
  let psi = 0;
  for (let i = 0; i < ref.length; i++) {
    if ((ref[i] as number) + (cur[i] as number) === 0) continue;
    const r = Math.max((ref[i] as number) / n, epsilon) / refSum;
    const c = Math.max((cur[i] as number) / m, epsilon) / curSum;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

const cache = new Map<string, number>();

export function simulatedCriticalValue(pooled: readonly number[], n: number, m: number, alpha: number, draws = SIMULATION_DRAWS): number {
  const key = `${pooled.map((p) => p.toFixed(6)).join(',')}|${n}|${m}|${alpha}|${draws}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const random = seeded(seedOf(pooled, n, m, alpha));
  const sum = pooled.reduce((a, p) => a + p, 0);
  let acc = 0;
  const cumulative = pooled.map((p) => (acc += p / sum));
  cumulative[cumulative.length - 1] = 1;
  const values = Array.from({ length: draws }, () => psiOfCounts(multinomial(cumulative, n, random), multinomial(cumulative, m, random), n, m)).sort((a, b) => a - b);
  const rank = Math.min(draws, Math.ceil((draws + 1) * (1 - alpha)));
  const value = values[rank - 1] as number;
  if (cache.size >= 5_000) cache.clear();
  cache.set(key, value);
  return value;
}
