import { ApiException } from '@kubernetes/client-node';

/** A call that did not answer in time; the request may still have been applied. */
export class CallTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'CallTimeout';
  }
}

/** The HTTP status of a failed Kubernetes or KFP call, when it got one. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (error instanceof HttpStatusError) return error.status;
  return undefined;
}

/** A non-Kubernetes HTTP API (KFP) answered with an error status. */
export class HttpStatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusOf(error) === 409;

/** Worth retrying: server errors, throttling, timeouts and connection failures; never a 4xx verdict. */
export function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status >= 500 || status === 429;
  return error instanceof CallTimeout || error instanceof TypeError || (error instanceof Error && /ECONNRESET|ECONNREFUSED|socket hang up|network|fetch failed/i.test(error.message));
}

/** One line about a failure, for the audit trail (the Status message when Kubernetes sent one). */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? safeParse(error.body) : error.body;
    const message = body !== null && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : '';
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
