/**
 * The PSI that identical distributions reach by chance. With reference size n, window size m and B
 * bins, (1/n + 1/m)⁻¹·PSI is asymptotically χ²(B−1) when nothing changed (PSI is Jeffreys'
 * divergence, whose scaled value has the same limit as Pearson's χ²), so
 *     critical value = (1/n + 1/m) · χ²_{B−1, 1−α}
 * is exceeded by chance in only a fraction α of no-drift windows. At n = m = 100 and B = 10 it is
 * 0.02 · 21.67 = 0.43: a fixed 0.1 threshold there fires on ~85% of windows where nothing changed.
 */
import { chiSquareQuantile } from './chi-square.js';
import { invalidDriftInput } from './drift-error.js';

export const DEFAULT_ALPHA = 0.01;

export function noDriftCriticalValue(n: number, m: number, bins: number, alpha = DEFAULT_ALPHA): number {
  if (!(n > 0) || !(m > 0)) throw invalidDriftInput(n > 0 ? 'm' : 'n', 'the critical value needs observations on both sides');
  if (!(alpha > 0 && alpha < 1)) throw invalidDriftInput('alpha', `must be between 0 and 1, got ${alpha}`);
  if (bins < 2) return 0;
  return (1 / n + 1 / m) * chiSquareQuantile(1 - alpha, bins - 1);
}
