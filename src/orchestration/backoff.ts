import { setTimeout as sleep } from 'node:timers/promises';
import { CallTimeout, isRetryable } from './kube-errors.js';

export interface BackoffOptions {
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First delay; doubles each retry up to `maxDelayMs` (defaults 200 ms, 5 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Stops retrying (the last error is thrown) once aborted. */
  signal?: AbortSignal;
}

function withTimeout<T>(call: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeout(what, ms)), ms);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `call`, retrying 5xx, 429, timeouts and connection errors with capped exponential backoff and
 * jitter. Every call passed here must be safe to repeat (a precondition or a deterministic name makes
 * a repeated write a 409, which the caller treats as "already done" or re-reads).
 */
export async function withBackoff<T>(what: string, call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(call(), what, options.timeoutMs ?? 10_000);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = Math.min(options.maxDelayMs ?? 5_000, base * 2 ** (attempt - 1));
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}
