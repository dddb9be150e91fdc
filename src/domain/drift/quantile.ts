/**
 * Sample quantiles by linear interpolation between order statistics (Hyndman & Fan type 7: numpy's
 * default `linear`, R's default, ClickHouse's `quantileExactInclusive`): for sorted x of size N,
 * h = (N − 1)·p and Q(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 * The interpolation is written as numpy writes it (from the nearer end), so results match its last bits.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The probabilities 1/B, 2/B, …, (B−1)/B whose quantiles cut a sample into B equal-mass bins. */
export function binProbabilities(bins: number): number[] {
  return Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
}

/** Ascending copy of the finite values (missing, NaN and ±∞ do not shape quantile edges). */
export function sortedFinite(values: Iterable<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out.sort((a, b) => a - b);
}
