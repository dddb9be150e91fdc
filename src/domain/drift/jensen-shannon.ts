/**
 * Jensen–Shannon distance between two binned distributions: √JSD with JSD = ½·KL(p‖μ) + ½·KL(q‖μ),
 * μ = (p + q)/2, logarithms base 2, so it lies in [0, 1] (0: identical, 1: disjoint supports).
 * Reported beside PSI as a second statistic: it needs no epsilon (an empty bin contributes 0 rather
 * than a smoothing-dependent amount) and it is bounded, so a bin that empties or a brand-new bin moves
 * it by a readable amount, while PSI's log term can make one empty bin dominate. A PSI far above
 * its no-drift critical value with a small JS distance points at a few small bins changing (often
 * empty or new bins); both high is a broad shift of the distribution.
 */
function klToMean(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  p.forEach((pi, i) => {
    const mean = (pi + (q[i] as number)) / 2;
    if (pi > 0) sum += pi * Math.log2(pi / mean);
  });
  return sum;
}

/** √(½KL(p‖μ) + ½KL(q‖μ)) in bits; p and q are proportions over the same bins (each summing to 1). */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  const divergence = (klToMean(p, q) + klToMean(q, p)) / 2;
  return Math.sqrt(Math.max(0, divergence));
}
