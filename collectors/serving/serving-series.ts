import type { PromHistogram } from '../prometheus-scrape.js';

/** Which model, version and endpoint a series counts requests for (the request batch's identity). */
export type ServingIdentity = {
  model: string;
  version: string;
  endpoint: string;
  namespace: string;
};

/**
 * One exposed series' cumulative totals since its process started, as read from one scrape. Several
 * series can share an identity (e.g. one per response code); their deltas are added up.
 */
export type SeriesTotals = ServingIdentity & {
  /** Unique within a target's scrape: the metric and its labels. */
  key: string;
  count: number;
  errors: number;
  sumMs: number;
  /** Bucket upper bounds in ms, ascending, the last +Infinity; empty when the server exposes no histogram. */
  boundsMs: number[];
  /** Cumulative counts per bound (Prometheus `le` semantics). */
  cumulative: number[];
};

export const SECONDS = 1000;
export const MILLISECONDS = 1;

/** A label set as a stable key. */
export function labelKey(name: string, labels: Readonly<Record<string, string>>): string {
  return [name, ...Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`)].join('\u0000');
}

/** A bound converted to ms without float noise (0.3 s is 300 ms, not 300.00000000000006). */
function toMs(value: number, msPerUnit: number): number {
  return Number.isFinite(value) ? Number((value * msPerUnit).toPrecision(12)) : value;
}

/** A histogram series' totals; `errors` is its whole count when its requests failed (e.g. a 5xx series), else 0. */
export function histogramTotals(name: string, h: PromHistogram, identity: ServingIdentity, msPerUnit: number, failed: boolean): SeriesTotals {
  const last = h.buckets[h.buckets.length - 1];
  // The +Inf bucket and _count are the same number in a consistent exposition; the bucket wins so per-bucket counts add up.
  const count = last && last.le === Number.POSITIVE_INFINITY ? last.count : h.count;
  return {
    ...identity,
    key: labelKey(name, h.labels),
    count,
    errors: failed ? count : 0,
    sumMs: toMs(h.sum, msPerUnit),
    boundsMs: h.buckets.map((b) => toMs(b.le, msPerUnit)),
    cumulative: h.buckets.map((b) => b.count),
  };
}

/** Whether an HTTP status label (`503`, `5xx`) is a server error. */
export function isServerError(status: string | undefined): boolean {
  return status !== undefined && status.startsWith('5');
}
