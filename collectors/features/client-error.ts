/**
 * What went wrong, as onError and stats().lastError see it: `config` (bad options, thrown at
 * construction), `rejected` (the server refused a batch with a 4xx other than 429: dropped, never
 * retried), `retryable` (network error, timeout, 429 or 5xx: retried), `input` (a value record() could not use).
 */
export type FeatureClientErrorKind = 'config' | 'rejected' | 'retryable' | 'input';

export class FeatureClientError extends Error {
  readonly kind: FeatureClientErrorKind;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(kind: FeatureClientErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FeatureClientError';
    this.kind = kind;
    this.status = options.status;
  }
}
