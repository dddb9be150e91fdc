import type { SeriesTotals, ServingIdentity } from './serving-series.js';

/** A pre-aggregated `requests` record as the ingest API takes it (src/domain/telemetry/requests.ts). */
export type RequestBatch = ServingIdentity & {
  ts: number;
  count: number;
  errors: number;
  latency_sum_ms: number;
  /** Per-bucket (not cumulative) counts by upper bound in ms, "+Inf" last; absent when the server has no histogram. */
  latency_buckets?: Record<string, number>;
};

type Delta = { count: number; errors: number; sumMs: number; buckets: Map<number, number> | undefined };

/**
 * Turns successive scrapes of one target into request batches: per (model, version, endpoint,
 * namespace), what happened between the previous scrape and this one.
 *
 * - The first scrape only sets the baseline.
 * - Counter reset: when any of a series' totals went down, or process_start_time_seconds changed, the
 *   series restarted and its delta is its new value (Prometheus `increase` semantics: the requests
 *   counted before the restart and not yet scraped are lost, never negative, never counted twice).
 *   A restart that ends above the old values without a process start time cannot be seen (as in Prometheus).
 * - A series absent from the baseline (a first 503, a new model) counts from zero.
 * - Missed scrapes leave the baseline where it was, so the next scrape yields one batch covering the gap.
 */
export class RequestDeltas {
  private baseline: Map<string, SeriesTotals> | undefined;
  private startedAt: number | undefined;

  next(series: readonly SeriesTotals[], ts: number, processStart?: number): RequestBatch[] {
    const previous = this.baseline;
    const restarted = processStart !== undefined && this.startedAt !== undefined && processStart !== this.startedAt;
    this.baseline = new Map(series.map((s) => [s.key, s]));
    if (processStart !== undefined) this.startedAt = processStart;
    if (!previous) return [];
    const byIdentity = new Map<string, { identity: ServingIdentity; delta: Delta }>();
    for (const current of series) {
      const delta = seriesDelta(restarted ? undefined : previous.get(current.key), current);
      const key = [current.model, current.version, current.endpoint, current.namespace].join('\u0000');
      const entry = byIdentity.get(key);
      if (entry) addDelta(entry.delta, delta);
      else byIdentity.set(key, { identity: { model: current.model, version: current.version, endpoint: current.endpoint, namespace: current.namespace }, delta });
    }
    return [...byIdentity.values()].flatMap(({ identity, delta }) => (delta.count > 0 ? [toBatch(identity, delta, ts)] : []));
  }
}

function wentDown(before: SeriesTotals, after: SeriesTotals): boolean {
  if (after.count < before.count || after.errors < before.errors || after.sumMs < before.sumMs) return true;
  if (after.boundsMs.length !== before.boundsMs.length || after.boundsMs.some((b, i) => b !== before.boundsMs[i])) return true;
  return after.cumulative.some((c, i) => c < (before.cumulative[i] ?? 0));
}

function seriesDelta(before: SeriesTotals | undefined, after: SeriesTotals): Delta {
  const base = before && !wentDown(before, after) ? before : undefined;
  const cumulative = after.cumulative.map((c, i) => c - (base?.cumulative[i] ?? 0));
  const buckets = after.boundsMs.length === 0 ? undefined : perBucket(after.boundsMs, cumulative);
  const count = buckets ? [...buckets.values()].reduce((a, b) => a + b, 0) : after.count - (base?.count ?? 0);
  return { count, errors: Math.min(count, after.errors - (base?.errors ?? 0)), sumMs: Math.max(0, after.sumMs - (base?.sumMs ?? 0)), buckets };
}

/** Cumulative deltas to per-bucket counts; a bucket read a moment before its neighbour cannot go negative. */
function perBucket(bounds: readonly number[], cumulative: readonly number[]): Map<number, number> {
  const buckets = new Map<number, number>();
  let below = 0;
  bounds.forEach((bound, i) => {
    const upTo = Math.max(below, cumulative[i] ?? 0);
    buckets.set(bound, upTo - below);
    below = upTo;
  });
  return buckets;
}

function addDelta(into: Delta, delta: Delta): void {
  into.count += delta.count;
  into.errors += delta.errors;
  into.sumMs += delta.sumMs;
  if (!into.buckets || !delta.buckets) {
    // A latency histogram for only some of the identity's series would not add up to its count.
    into.buckets = undefined;
    return;
  }
  for (const [bound, n] of delta.buckets) into.buckets.set(bound, (into.buckets.get(bound) ?? 0) + n);
}

function toBatch(identity: ServingIdentity, delta: Delta, ts: number): RequestBatch {
  const batch: RequestBatch = { ...identity, ts, count: delta.count, errors: delta.errors, latency_sum_ms: delta.sumMs };
  if (delta.buckets) {
    const bounds = [...delta.buckets.keys()].sort((a, b) => a - b);
    batch.latency_buckets = Object.fromEntries(bounds.map((b) => [Number.isFinite(b) ? String(b) : '+Inf', delta.buckets?.get(b) ?? 0]));
  }
  return batch;
}
