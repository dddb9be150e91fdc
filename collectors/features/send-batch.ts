import { FeatureClientError } from './client-error.js';
import { parseRetryAfter } from './retry-delay.js';

export type SendOutcome =
  | { kind: 'sent' }
  | { kind: 'retry'; error: FeatureClientError; retryAfterMs: number | undefined }
  | { kind: 'rejected'; error: FeatureClientError };

export interface SendTarget {
  endpoint: string;
  authorization: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
}

/** 429 and 5xx are worth retrying; any other 4xx would fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

async function detail(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 300);
  } catch {
    return '';
  }
}

/** POSTs one JSON body and classifies the answer; never rejects. */
export async function sendBatch(target: SendTarget, body: string, cancel: AbortSignal): Promise<SendOutcome> {
  let response: Response;
  try {
    response = await target.fetch(target.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: target.authorization },
      body,
      signal: AbortSignal.any([cancel, AbortSignal.timeout(target.timeoutMs)]),
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { kind: 'retry', error: new FeatureClientError('retryable', `POST ${target.endpoint} failed: ${reason}`, { cause }), retryAfterMs: undefined };
  }
  // Read the body even on success so the connection goes back to the pool.
  const text = await detail(response);
  if (response.ok) return { kind: 'sent' };
  const message = `POST ${target.endpoint} answered ${response.status}${text ? `: ${text}` : ''}`;
  if (isRetryableStatus(response.status)) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), target.now());
    return { kind: 'retry', error: new FeatureClientError('retryable', message, { status: response.status }), retryAfterMs };
  }
  return { kind: 'rejected', error: new FeatureClientError('rejected', message, { status: response.status }) };
}
