import { DeliveryError } from './delivery-error.js';
import type { HttpTarget } from './http-target.js';

/** How much of a receiver's answer is kept, for error messages. */
const ANSWER_BYTES = 2048;
const QUOTED_CHARS = 200;

export interface PostAnswer {
  status: number;
  statusText: string;
  /** The Retry-After header, if the receiver sent one. */
  retryAfter: string | null;
  /** The start of the body (at most a few KiB). */
  text: string;
}

async function readStart(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8');
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  return code === undefined ? message : `${message} (${code})`;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * One POST of a JSON body with a deadline. Resolves with any HTTP answer (2xx or not); rejects with a
 * retryable DeliveryError when no answer came (connection failure or timeout). Redirects are not
 * followed: a signed body or credentials must not travel to another address.
 */
export async function postJson(target: HttpTarget, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostAnswer> {
  const allHeaders: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mlwarden-alerting', ...headers };
  if (target.authorization !== undefined) allHeaders.authorization = target.authorization;
  try {
    const response = await fetch(target.url, { method: 'POST', body, headers: allHeaders, redirect: 'manual', signal: AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))) });
    const text = await readStart(response);
    return { status: response.status, statusText: response.statusText, retryAfter: response.headers.get('retry-after'), text };
  } catch (error) {
    if (isTimeout(error)) {
      throw new DeliveryError(`POST ${target.display} failed: no answer within ${Math.round(timeoutMs)} ms`, { code: 'timeout', url: target.display, cause: error });
    }
    throw new DeliveryError(`POST ${target.display} failed: ${networkReason(error)}`, { code: 'network', url: target.display, cause: error });
  }
}

/** The DeliveryError for a non-2xx answer, or undefined for a 2xx. 408/429/5xx are retryable. */
export function answerError(target: HttpTarget, answer: PostAnswer): DeliveryError | undefined {
  const { status } = answer;
  if (status >= 200 && status < 300) return undefined;
  const code = status >= 500 ? 'server-error' : status === 408 || status === 429 ? 'throttled' : 'rejected';
  const said = answer.text.trim().replace(/\s+/g, ' ').slice(0, QUOTED_CHARS);
  const message = `POST ${target.display} failed: HTTP ${status}${answer.statusText === '' ? '' : ` ${answer.statusText}`}${said === '' ? '' : `: ${said}`}`;
  return new DeliveryError(message, { code, url: target.display, status });
}
