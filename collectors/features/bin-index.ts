/**
 * The bin a value falls in for ascending edges e0 < … < e(n-1): 0 for (-∞,e0), i for [e(i-1),e(i)),
 * n for [e(n-1),+∞) — the number of edges at or below the value, found by binary search.
 */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((edges[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
