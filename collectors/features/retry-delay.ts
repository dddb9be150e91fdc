/** Longest Retry-After honoured, so a misconfigured proxy cannot park delivery for days. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * The wait before retry number `attempt` (1-based): the server's Retry-After when it sent one,
 * otherwise base·2^(attempt−1) capped at max, with "equal jitter" (half fixed, half random) so
 * many serving replicas that failed together do not retry together.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, o: { retryBaseMs: number; retryMaxMs: number; random: () => number }): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + o.random() * (ceiling / 2);
}

/** Retry-After as delay-seconds or an HTTP-date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday and month; without letters, Date.parse would read "-3" as a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
