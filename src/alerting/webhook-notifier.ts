import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MlwardenError } from '../domain/errors.js';
import { backoffDelay, retryAfterMs, type BackoffOptions } from './backoff.js';
import { DeliveryError } from './delivery-error.js';
import { httpTarget, type HttpAuth, type HttpTarget } from './http-target.js';
import { answerError, postJson } from './json-post.js';
import type { AlertNotification, Notifier } from './notification.js';

export const SIGNATURE_HEADER = 'X-Mlwarden-Signature';
export const TIMESTAMP_HEADER = 'X-Mlwarden-Timestamp';

export interface WebhookNotifierOptions extends HttpAuth, Partial<BackoffOptions> {
  url: string;
  /** HMAC-SHA256 key: when set, every request carries X-Mlwarden-Timestamp and X-Mlwarden-Signature. */
  secret?: string | undefined;
  /** Attempts per send, the first included. Default 5. */
  maxAttempts?: number | undefined;
  /** A send never takes longer than this, retries and waits included. Default 15 s. */
  totalTimeoutMs?: number | undefined;
  /** Deadline of one request (also bounded by what is left of the total). Default 5 s. */
  requestTimeoutMs?: number | undefined;
  /** Wall clock for signature timestamps and the deadline. Default Date.now. */
  clock?: (() => number) | undefined;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: (() => number) | undefined;
  /** Told about each retry (never about the secret). */
  onRetry?: ((event: { url: string; attempt: number; delayMs: number; error: DeliveryError }) => void) | undefined;
}

/** One alert in a webhook body. */
export interface WebhookAlert {
  dedupeKey: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string;
}

export interface WebhookPayload {
  version: '1';
  alerts: WebhookAlert[];
}

export function webhookPayload(notifications: readonly AlertNotification[]): WebhookPayload {
  return {
    version: '1',
    alerts: notifications.map((n) => ({
      dedupeKey: n.dedupeKey,
      status: n.state,
      labels: n.labels,
      annotations: n.annotations,
      startsAt: new Date(n.startsAt).toISOString(),
      endsAt: n.endsAt === undefined ? null : new Date(n.endsAt).toISOString(),
      generatorURL: n.generatorURL,
    })),
  };
}

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). Receivers recompute it over the raw body
 * and reject stale timestamps, so a captured request cannot be replayed later.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

function setting(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new MlwardenError('invalid', `${name} must be a number ≥ ${min}, got ${String(value)}`);
  return v;
}

/**
 * Delivers alerts as one JSON document per send to a generic webhook, retried with exponential backoff
 * and jitter within a bounded number of attempts and a total time budget. 4xx answers other than
 * 408/429 are final; Retry-After is honoured when it fits in the budget.
 */
export class WebhookNotifier implements Notifier {
  readonly name: string;
  readonly #target: HttpTarget;
  readonly #secret: string | undefined;
  readonly #backoff: BackoffOptions;
  readonly #maxAttempts: number;
  readonly #totalTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #onRetry: WebhookNotifierOptions['onRetry'];

  constructor(options: WebhookNotifierOptions) {
    this.#target = httpTarget(options.url, options, 'webhook URL');
    this.name = `webhook ${this.#target.display}`;
    if (options.secret !== undefined && options.secret === '') throw new MlwardenError('invalid', `the signing secret for ${this.name} is empty`);
    this.#secret = options.secret;
    this.#backoff = {
      initialDelayMs: setting(options.initialDelayMs, 500, 'initialDelayMs', 0),
      maxDelayMs: setting(options.maxDelayMs, 10_000, 'maxDelayMs', 0),
      multiplier: setting(options.multiplier, 2, 'multiplier', 1),
    };
    this.#maxAttempts = Math.floor(setting(options.maxAttempts, 5, 'maxAttempts', 1));
    this.#totalTimeoutMs = setting(options.totalTimeoutMs, 15_000, 'totalTimeoutMs', 1);
    this.#requestTimeoutMs = setting(options.requestTimeoutMs, 5_000, 'requestTimeoutMs', 1);
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
  }

  get url(): string {
    return this.#target.display;
  }

  async send(notifications: AlertNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    const body = JSON.stringify(webhookPayload(notifications));
    const deadline = this.#clock() + this.#totalTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const { error, waitMs } = await this.attempt(body, deadline);
      if (error === undefined) return;
      const delayMs = waitMs ?? backoffDelay(attempt, this.#backoff, this.#random());
      const stop = this.stopReason(error, attempt, delayMs, deadline);
      if (stop !== undefined) throw attempt === 1 && stop === '' ? error : new DeliveryError(`${error.message} (${stop || `after ${attempt} attempts`})`, { code: error.code, url: error.url, status: error.status, attempts: attempt, cause: error });
      this.#onRetry?.({ url: this.#target.display, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }

  /** Why not to retry ('' for an error retrying cannot fix), or undefined to retry. */
  private stopReason(error: DeliveryError, attempt: number, delayMs: number, deadline: number): string | undefined {
    if (!error.retryable) return '';
    if (attempt >= this.#maxAttempts) return `gave up after ${attempt} attempts`;
    if (this.#clock() + delayMs >= deadline) return `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: waiting ${Math.round(delayMs)} ms more would pass the ${this.#totalTimeoutMs} ms budget`;
    return undefined;
  }

  /** One request; the error (if any) and how long the receiver asked us to wait. */
  private async attempt(body: string, deadline: number): Promise<{ error?: DeliveryError; waitMs?: number | undefined }> {
    const remaining = deadline - this.#clock();
    if (remaining <= 0) return { error: new DeliveryError(`POST ${this.#target.display} failed: no time left in the ${this.#totalTimeoutMs} ms budget`, { code: 'timeout', url: this.#target.display }) };
    try {
      const answer = await postJson(this.#target, body, this.signatureHeaders(body), Math.min(this.#requestTimeoutMs, remaining));
      const error = answerError(this.#target, answer);
      return error === undefined ? {} : { error, waitMs: retryAfterMs(answer.retryAfter, this.#clock()) };
    } catch (error) {
      if (error instanceof DeliveryError) return { error };
      throw error;
    }
  }

  private signatureHeaders(body: string): Record<string, string> {
    if (this.#secret === undefined) return {};
    const timestamp = String(Math.floor(this.#clock() / 1000));
    return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(this.#secret, timestamp, body) };
  }
}
