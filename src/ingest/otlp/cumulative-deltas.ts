/** A histogram's totals: one data point's count, sum and per-bucket counts (bounds in the sender's unit). */
export interface HistogramTotals {
  count: number;
  sum: number;
  bounds: readonly number[];
  bucketCounts: readonly number[];
}

/** A cumulative data point: totals since startNanos, observed at timeNanos. */
export interface CumulativePoint extends HistogramTotals {
  startNanos: bigint;
  timeNanos: bigint;
}

export interface DeltaResult {
  /** The totals to store, or undefined when the point only sets (or repeats) a baseline. */
  delta: HistogramTotals | undefined;
  /** Makes this point the series' baseline; call once its delta is stored, so a refused export is recomputed on retry. */
  advance(): void;
}

const DEFAULT_MAX_SERIES = 100_000;

/**
 * Turns CUMULATIVE histogram points into deltas, remembering each series' last point in memory.
 * A series is resource + scope + metric + point attributes; its start time tells lifetimes apart:
 * - same start, later time: the difference from the last point;
 * - a new start time, or totals that went down (a reset): the point itself is the delta;
 * - same start, not later (a retried or reordered export): nothing, so it is not counted twice;
 * - an unseen series that started before this receiver: only the baseline. Its totals may include
 *   requests stored before a restart of mlwarden, and double counting would corrupt SLIs, whereas
 *   dropping the one interval loses a little traffic. A series that started after us counts in full.
 */
export class CumulativeDeltas {
  private readonly last = new Map<string, CumulativePoint>();

  constructor(
    private readonly startedAtNanos: bigint,
    private readonly maxSeries = DEFAULT_MAX_SERIES,
  ) {}

  get series(): number {
    return this.last.size;
  }

  delta(seriesKey: string, point: CumulativePoint): DeltaResult {
    return { delta: this.deltaOf(this.last.get(seriesKey), point), advance: () => this.remember(seriesKey, point) };
  }

  private deltaOf(previous: CumulativePoint | undefined, point: CumulativePoint): HistogramTotals | undefined {
    if (previous === undefined) return point.startNanos < this.startedAtNanos ? undefined : point;
    if (previous.startNanos !== point.startNanos) return point;
    if (point.timeNanos <= previous.timeNanos) return undefined;
    if (wentDown(previous, point)) return point;
    return {
      count: point.count - previous.count,
      sum: Math.max(0, point.sum - previous.sum),
      bounds: point.bounds,
      bucketCounts: point.bucketCounts.map((n, i) => n - (previous.bucketCounts[i] ?? 0)),
    };
  }

  private remember(seriesKey: string, point: CumulativePoint): void {
    const previous = this.last.get(seriesKey);
    if (previous !== undefined && previous.startNanos === point.startNanos && previous.timeNanos > point.timeNanos) return;
    // Re-inserting keeps Map order least-recently-updated first, so the stalest series is evicted.
    this.last.delete(seriesKey);
    this.last.set(seriesKey, point);
    if (this.last.size > this.maxSeries) this.last.delete(this.last.keys().next().value as string);
  }
}

function wentDown(previous: HistogramTotals, point: HistogramTotals): boolean {
  if (point.count < previous.count) return true;
  if (point.bounds.length !== previous.bounds.length || point.bounds.some((b, i) => b !== previous.bounds[i])) return true;
  return point.bucketCounts.some((n, i) => n < (previous.bucketCounts[i] ?? 0));
}
