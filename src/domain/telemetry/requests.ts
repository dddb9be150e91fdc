import { z } from 'zod';
import { count, nonNegative, optionalLabel, requiredLabel } from './fields.js';
import { timestamp } from './timestamp.js';

/** A response counts as an error when its HTTP status is 5xx, unless the client says `ok` explicitly. */
export const ERROR_STATUS_FROM = 500;

const identity = {
  ts: timestamp,
  model: requiredLabel,
  version: optionalLabel,
  endpoint: optionalLabel,
  namespace: optionalLabel,
};

const rawRequest = z
  .strictObject({
    ...identity,
    status: z.number().int().min(100).max(599).optional(),
    ok: z.boolean().optional(),
    latency_ms: nonNegative,
  })
  .transform((r, ctx) => {
    if (r.status === undefined && r.ok === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'is required (or give ok: true|false)' });
      return z.NEVER;
    }
    const failed = r.ok === undefined ? (r.status ?? 0) >= ERROR_STATUS_FROM : !r.ok;
    return {
      ts: r.ts, model: r.model, version: r.version, endpoint: r.endpoint, namespace: r.namespace,
      status: r.status ?? 0,
      count: 1,
      errors: failed ? 1 : 0,
      latency_ms: r.latency_ms as number | null,
      latency_sum_ms: r.latency_ms,
      bucket_bounds_ms: [] as number[],
      bucket_counts: [] as number[],
    };
  });

/** A latency bucket's upper bound in ms (a non-negative number or "+Inf"), or undefined when the key is neither. */
function bucketBound(key: string): number | undefined {
  const bound = key === '+Inf' || key === 'Infinity' ? Number.POSITIVE_INFINITY : Number(key);
  return key.trim() === '' || Number.isNaN(bound) || bound < 0 ? undefined : bound;
}

const batchRequest = z
  .strictObject({
    ...identity,
    count,
    errors: count,
    latency_buckets: z.record(z.string(), count).default({}),
    latency_sum_ms: nonNegative.default(0),
  })
  .transform((b, ctx) => {
    if (b.errors > b.count) ctx.addIssue({ code: 'custom', path: ['errors'], message: `exceeds count (${b.count})` });
    const buckets: Array<[number, number]> = [];
    for (const [key, n] of Object.entries(b.latency_buckets)) {
      const bound = bucketBound(key);
      if (bound === undefined) {
        ctx.addIssue({ code: 'custom', path: ['latency_buckets', key], message: `bucket bound "${key.slice(0, 40)}" is not a non-negative number of ms or "+Inf"` });
        return z.NEVER;
      }
      buckets.push([bound, n]);
    }
    buckets.sort((x, y) => x[0] - y[0]);
    const inBuckets = buckets.reduce((sum, [, n]) => sum + n, 0);
    if (buckets.length > 0 && inBuckets !== b.count) {
      ctx.addIssue({
        code: 'custom',
        path: ['latency_buckets'],
        message: `bucket counts sum to ${inBuckets} but count is ${b.count}; send per-bucket counts (not cumulative) that include every request`,
      });
    }
    return {
      ts: b.ts, model: b.model, version: b.version, endpoint: b.endpoint, namespace: b.namespace,
      status: 0,
      count: b.count,
      errors: b.errors,
      latency_ms: null as number | null,
      latency_sum_ms: b.latency_sum_ms,
      bucket_bounds_ms: buckets.map(([bound]) => bound),
      bucket_counts: buckets.map(([, n]) => n),
    };
  });

/**
 * Ingest validates millions of records: z.compile gives the same results and the same issues (a record
 * that fails re-runs through the interpreter for them) several times faster.
 */
const compiledRawRequest = z.compile(rawRequest);
const compiledBatchRequest = z.compile(batchRequest);

function hasKey(input: unknown, key: string): boolean {
  return typeof input === 'object' && input !== null && key in input;
}

/** One request (`status`/`ok` + `latency_ms`) or, when `count` is present, a pre-aggregated batch. */
export function requestSchemaFor(input: unknown): typeof rawRequest | typeof batchRequest {
  return hasKey(input, 'count') ? compiledBatchRequest : compiledRawRequest;
}

export type RequestRow = z.output<typeof rawRequest>;
