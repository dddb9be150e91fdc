/**
 * A controller's queue of object keys, drained synchronously. A controller's own writes raise store
 * events that queue the same key again; that pass finds nothing to change, so the drain ends. A
 * key that keeps coming back is reported, not looped on forever.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private draining = false;

  constructor(
    private readonly controller: string,
    private readonly reconcileOne: (key: string) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  enqueue(key: string): void {
    this.pending.add(key);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let passes = 0; this.pending.size > 0; passes++) {
        const next = this.pending.values().next().value as string;
        this.pending.delete(next);
        if (passes > 1000) throw new Error(`the ${this.controller} is not converging on ${next}`);
        this.reconcileOne(next);
      }
    } catch (error) {
      this.pending.clear();
      this.onError(error);
    } finally {
      this.draining = false;
    }
  }
}
