/** Exponential backoff between retries of one delivery. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  initialDelayMs: number;
  /** Upper bound of any one delay. */
  maxDelayMs: number;
  /** Growth per retry (2 doubles the delay each time). */
  multiplier: number;
}

/**
 * The delay before retry number `retry` (1 = the first retry): initial × multiplier^(retry−1), capped at
 * the maximum, with "equal jitter": half of it fixed, half drawn from `random` in [0, 1). Half fixed
 * keeps retries from hammering a struggling receiver; half random spreads out many senders.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: number): number {
  const exponential = options.initialDelayMs * options.multiplier ** Math.max(0, retry - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  return capped / 2 + (capped / 2) * Math.min(Math.max(random, 0), 1);
}

/**
 * A Retry-After header as a delay in ms from `now`: either delay-seconds ("120") or an HTTP date.
 * Undefined when absent or unreadable; a date in the past means retry now (0).
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date) || !/[a-z]/i.test(value)) return undefined;
  return Math.max(0, date - now);
}
