import { MlwardenError } from '../domain/errors.js';

/**
 * Why a delivery failed. `network` and `timeout` never reached an answer; `server-error` is a 5xx;
 * `throttled` is 408/429; `rejected` is any other non-2xx (the receiver refused this payload).
 */
export type DeliveryErrorCode = 'network' | 'timeout' | 'server-error' | 'throttled' | 'rejected';

const RETRYABLE: Record<DeliveryErrorCode, boolean> = { network: true, timeout: true, 'server-error': true, throttled: true, rejected: false };

export interface DeliveryErrorDetails {
  code: DeliveryErrorCode;
  /** The receiver's URL without credentials or query string. */
  url: string;
  status?: number | undefined;
  attempts?: number | undefined;
  /** For a notifier with several receivers: each one that failed. */
  failures?: readonly DeliveryError[] | undefined;
  cause?: unknown;
}

/**
 * A notification that did not reach its receiver. The message names the URL and the HTTP status, never
 * a credential. `retryable` says whether sending the same payload again later can succeed.
 */
export class DeliveryError extends MlwardenError {
  readonly code: DeliveryErrorCode;
  readonly retryable: boolean;
  readonly url: string;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly failures: readonly DeliveryError[];

  constructor(message: string, details: DeliveryErrorDetails) {
    const failures = details.failures ?? [];
    const retryable = failures.length > 0 ? failures.some((f) => f.retryable) : RETRYABLE[details.code];
    super(retryable ? 'unavailable' : 'internal', message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = 'DeliveryError';
    this.code = details.code;
    this.retryable = retryable;
    this.url = details.url;
    this.status = details.status;
    this.attempts = details.attempts ?? 1;
    this.failures = failures;
  }
}

export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof DeliveryError;
}
