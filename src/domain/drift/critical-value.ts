/**
 * The PSI that identical distributions reach by chance. With reference size n, window size m and B
 * bins, (1/n + 1/m)⁻¹·PSI is asymptotically χ²(B−1) when nothing changed (PSI is Jeffreys'
 * divergence, whose scaled value has the same limit as Pearson's χ²), so
 *     critical value = (1/n + 1/m) · χ²_{B−1, 1−α}
 * is exceeded by chance in about a fraction α of no-drift windows. At n = m = 100 and B = 10 it is
 * 0.02 · 21.67 = 0.43: a fixed 0.1 threshold there fires on ~85% of windows where nothing changed.
 *
 * Small-sample factor (applied when the bins' pooled proportions p̄ are known): expanding PSI to
 * second order under no change gives
 *     E[PSI] ≈ (B−1)(1/n + 1/m) + (1/n² + 1/m²)(Σ 1/p̄_b − B)/2,
 * so the critical value is scaled by q = 1 + (1/n² + 1/m²)(Σ 1/p̄_b − B) / (2(B−1)(1/n + 1/m)),
 * a Bartlett-style correction that tends to 1 as the samples grow (q = 1.05 at n = m = 100 with ten
 * equal bins; 1.005 at 1,000). In seeded simulations with ten equal bins and no change, the plain
 * asymptotic value fires in ~2% of windows at n = m = 100 (α = 1%); with q, ~1.5%: PSI's tail is
 * heavier than χ² at small sizes. Under 1,000 observations a side, windowCriticalValue therefore
 * also simulates the null (simulated-critical-value.ts), which brings it to ~0.8–0.95% at
 * n = m = 100 and ~0.8% at 200.
 */
import { chiSquareQuantile } from './chi-square.js';

/** The quantile is the same for every window of a feature (α and B fixed): computed once per pair. */
const quantiles = new Map<string, number>();
function chiQuantile(p: number, df: number): number {
  const key = `${p}/${df}`;
  let q = quantiles.get(key);
  if (q === undefined) {
    q = chiSquareQuantile(p, df);
    if (quantiles.size < 10_000) quantiles.set(key, q);
  }
  return q;
}
import { invalidDriftInput } from './drift-error.js';
import { SIMULATE_BELOW, simulatedCriticalValue } from './simulated-critical-value.js';

export const DEFAULT_ALPHA = 0.01;

/** q above; `pooled` are the bins' pooled proportions (ref + cur counts) / (n + m), all > 0. */
export function smallSampleFactor(pooled: readonly number[], n: number, m: number): number {
  const bins = pooled.length;
  if (bins < 2) return 1;
  const inverseSum = pooled.reduce((a, p) => a + 1 / p, 0);
  return 1 + ((1 / n ** 2 + 1 / m ** 2) * Math.max(0, inverseSum - bins)) / (2 * (bins - 1) * (1 / n + 1 / m));
}

/** (1/n + 1/m)·χ²_{B−1, 1−α}, times the small-sample factor when pooled proportions are given. */
export function noDriftCriticalValue(n: number, m: number, bins: number, alpha = DEFAULT_ALPHA, pooled?: readonly number[]): number {
  if (!(n > 0) || !(m > 0)) throw invalidDriftInput(n > 0 ? 'm' : 'n', 'the critical value needs observations on both sides');
  if (!(alpha > 0 && alpha < 1)) throw invalidDriftInput('alpha', `must be between 0 and 1, got ${alpha}`);
  if (bins < 2) return 0;
  const asymptotic = (1 / n + 1 / m) * chiQuantile(1 - alpha, bins - 1);
  return pooled === undefined ? asymptotic : asymptotic * smallSampleFactor(pooled, n, m);
}

/**
 * The critical value a window's PSI is judged against. For windows with fewer than SIMULATE_BELOW
 * observations on a side it is the larger of the χ² value and the simulated null quantile
 * (simulated-critical-value.ts), so small windows keep their α. The simulation only runs when the
 * PSI is above the χ² value (a PSI under it is no drift either way), which under no change is about
 * one window in a hundred.
 */
export function windowCriticalValue(psi: number, n: number, m: number, bins: number, alpha = DEFAULT_ALPHA, pooled?: readonly number[]): number {
  const chi = noDriftCriticalValue(n, m, bins, alpha, pooled);
  if (pooled === undefined || bins < 2 || Math.min(n, m) >= SIMULATE_BELOW || psi <= chi) return chi;
  return Math.max(chi, simulatedCriticalValue(pooled, n, m, alpha));
}
