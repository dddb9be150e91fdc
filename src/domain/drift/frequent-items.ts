/**
 * Misra–Gries frequent-items summary: at most `capacity` counters whatever the number of distinct
 * items, so 100k (or 100M) distinct categories cost a bounded amount of memory. Every item occurring
 * more than N/(capacity+1) times among N is guaranteed to be a candidate; while the distinct count
 * stays within capacity nothing is ever evicted and the counts are exact. Callers recount the
 * candidates exactly in a second pass, so reported counts are never estimates.
 */
export class FrequentItems {
  private readonly counters = new Map<string, number>();
  private evicted = false;

  constructor(readonly capacity: number) {}

  add(item: string): void {
    const current = this.counters.get(item);
    if (current !== undefined) {
      this.counters.set(item, current + 1);
      return;
    }
    if (this.counters.size < this.capacity) {
      this.counters.set(item, 1);
      return;
    }
    // Full: this item and one of each counter cancel out; counters reaching zero are freed.
    this.evicted = true;
    for (const [key, c] of this.counters) {
      if (c <= 1) this.counters.delete(key);
      else this.counters.set(key, c - 1);
    }
  }

  /** The candidate items, most frequent first (ties by name, so the order is deterministic). */
  candidates(): string[] {
    return [...this.counters.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k]) => k);
  }

  /** True when no item was ever dropped: the candidates are then every distinct item seen. */
  get complete(): boolean {
    return !this.evicted;
  }

  get size(): number {
    return this.counters.size;
  }
}
