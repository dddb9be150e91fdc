import { MlwardenError } from '../domain/errors.js';
import { DeliveryError } from './delivery-error.js';
import { httpTarget, type HttpAuth, type HttpTarget } from './http-target.js';
import { answerError, postJson } from './json-post.js';
import type { AlertNotification, Notifier } from './notification.js';

export interface AlertmanagerNotifierOptions extends HttpAuth {
  /** Alertmanager base URLs (e.g. http://alertmanager:9093, or with a route prefix); alerts go to every one. */
  urls: readonly string[];
  /** How often firing alerts are re-sent; sets the default resolve timeout. */
  resendIntervalMs: number;
  /** A firing alert's endsAt is now + this, so Alertmanager resolves it by itself if mlwarden stops sending. Default 5 × resendIntervalMs. */
  resolveTimeoutMs?: number | undefined;
  /** Deadline of one request. Default 10 s. */
  requestTimeoutMs?: number | undefined;
  /** Alerts per request. Default 256. */
  maxBatchSize?: number | undefined;
}

/** One alert as Alertmanager's API v2 takes it (`postableAlert`), timestamps in RFC 3339. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The v2 form of a notification at `now`. A firing alert ends at now + resolveTimeout (renewed by each
 * re-send), the way Prometheus does it; a resolved one ends when it resolved (never before it started,
 * which Alertmanager refuses).
 */
export function toAlertmanagerAlert(n: AlertNotification, now: number, resolveTimeoutMs: number): AlertmanagerAlert {
  const endsAt = n.state === 'firing' ? now + resolveTimeoutMs : Math.max(n.endsAt ?? now, n.startsAt);
  return {
    labels: n.labels,
    annotations: n.annotations,
    startsAt: iso(n.startsAt),
    endsAt: iso(endsAt),
    ...(n.generatorURL === '' ? {} : { generatorURL: n.generatorURL }),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new MlwardenError('invalid', `${name} must be a positive number, got ${String(value)}`);
  return v;
}

/**
 * Delivers alerts to Alertmanager's API v2 (`POST {url}/api/v2/alerts`), to every configured
 * Alertmanager like Prometheus does (they dedupe among themselves). Alertmanager identifies an alert by
 * its label set, so re-sending a firing alert refreshes it rather than adding one.
 */
export class AlertmanagerNotifier implements Notifier {
  readonly name = 'alertmanager';
  readonly resolveTimeoutMs: number;
  readonly #targets: readonly HttpTarget[];
  readonly #requestTimeoutMs: number;
  readonly #maxBatchSize: number;

  constructor(options: AlertmanagerNotifierOptions) {
    if (options.urls.length === 0) throw new MlwardenError('invalid', 'the Alertmanager notifier needs at least one Alertmanager URL');
    const resendIntervalMs = positive(options.resendIntervalMs, 0, 'resendIntervalMs');
    this.resolveTimeoutMs = positive(options.resolveTimeoutMs, 5 * resendIntervalMs, 'resolveTimeoutMs');
    if (this.resolveTimeoutMs <= resendIntervalMs) {
      throw new MlwardenError('invalid', `resolveTimeoutMs (${this.resolveTimeoutMs}) must exceed resendIntervalMs (${resendIntervalMs}), or firing alerts would resolve between re-sends`);
    }
    this.#requestTimeoutMs = positive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs');
    this.#maxBatchSize = Math.floor(positive(options.maxBatchSize, 256, 'maxBatchSize'));
    this.#targets = options.urls.map((url) => httpTarget(url, options, 'Alertmanager URL', 'api/v2/alerts'));
  }

  /** Where alerts go (no credentials), e.g. for a startup log line. */
  get urls(): string[] {
    return this.#targets.map((t) => t.display);
  }

  async send(notifications: AlertNotification[], now: number): Promise<void> {
    if (notifications.length === 0) return;
    const alerts = notifications.map((n) => toAlertmanagerAlert(n, now, this.resolveTimeoutMs));
    const bodies: string[] = [];
    for (let i = 0; i < alerts.length; i += this.#maxBatchSize) bodies.push(JSON.stringify(alerts.slice(i, i + this.#maxBatchSize)));
    const results = await Promise.allSettled(this.#targets.map((t) => this.sendTo(t, bodies)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length === 0) return;
    const errors = failures.map((f) => (f instanceof DeliveryError ? f : new DeliveryError(`Alertmanager delivery failed: ${String(f)}`, { code: 'network', url: '', cause: f })));
    const [first] = errors as [DeliveryError, ...DeliveryError[]];
    if (this.#targets.length === 1) throw first;
    throw new DeliveryError(`${errors.length} of ${this.#targets.length} Alertmanagers did not take the alerts: ${errors.map((e) => e.message).join('; ')}`, {
      code: first.code, url: errors.map((e) => e.url).join(', '), status: first.status, failures: errors,
    });
  }

  private async sendTo(target: HttpTarget, bodies: readonly string[]): Promise<void> {
    for (const body of bodies) {
      const error = answerError(target, await postJson(target, body, {}, this.#requestTimeoutMs));
      if (error) throw error;
    }
  }
}
