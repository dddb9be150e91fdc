import type { Logger } from 'pino';
import { isDeliveryError } from './delivery-error.js';
import type { AlertNotification, Notifier } from './notification.js';
import { ResendPolicy, type ResendOptions } from './resend-policy.js';
import type { Silence } from './silence.js';

export interface AlertDeliveryOptions {
  notifiers: readonly Notifier[];
  resend: ResendOptions;
  /** The silences in force; when loading fails, the last ones loaded still apply. */
  silences?: (() => Promise<readonly Silence[]> | readonly Silence[]) | undefined;
  logger: Pick<Logger, 'warn' | 'debug'>;
}

/** What one notifier did in one delivery. */
export interface NotifierReport {
  notifier: string;
  sent: number;
  silenced: number;
  error?: { message: string; code: string; retryable: boolean } | undefined;
}

/**
 * Hands each evaluation's notifications to every notifier, each with its own resend policy: what one
 * receiver missed is retried at the next evaluation without re-sending to the others early. Never rejects:
 * a failed delivery is logged (message without credentials) and retried next time.
 */
export class AlertDelivery {
  readonly #entries: ReadonlyArray<{ notifier: Notifier; policy: ResendPolicy }>;
  readonly #options: AlertDeliveryOptions;
  #silences: readonly Silence[] = [];

  constructor(options: AlertDeliveryOptions) {
    this.#options = options;
    this.#entries = options.notifiers.map((notifier) => ({ notifier, policy: new ResendPolicy(options.resend) }));
  }

  /** For the alert engine's `deliver` port. */
  readonly deliver = async (notifications: AlertNotification[], now: number): Promise<void> => {
    await this.deliverAll(notifications, now);
  };

  /** Delivers and tells what each notifier did. */
  async deliverAll(notifications: AlertNotification[], now: number): Promise<NotifierReport[]> {
    const silences = await this.currentSilences();
    return Promise.all(this.#entries.map((e) => this.deliverTo(e.notifier, e.policy, notifications, silences, now)));
  }

  private async currentSilences(): Promise<readonly Silence[]> {
    if (this.#options.silences === undefined) return [];
    try {
      this.#silences = await this.#options.silences();
    } catch (error) {
      this.#options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'could not load silences; the last ones loaded still apply');
    }
    return this.#silences;
  }

  private async deliverTo(notifier: Notifier, policy: ResendPolicy, notifications: AlertNotification[], silences: readonly Silence[], now: number): Promise<NotifierReport> {
    const { due, silenced } = policy.plan(notifications, silences, now);
    if (silenced.length > 0) this.#options.logger.debug({ notifier: notifier.name, alerts: silenced.map((n) => n.dedupeKey) }, 'alerts silenced');
    if (due.length === 0) return { notifier: notifier.name, sent: 0, silenced: silenced.length };
    try {
      await notifier.send(due, now);
      policy.delivered(due, now);
      return { notifier: notifier.name, sent: due.length, silenced: silenced.length };
    } catch (error) {
      const described = isDeliveryError(error)
        ? { message: error.message, code: error.code, retryable: error.retryable }
        : { message: error instanceof Error ? error.message : String(error), code: 'unexpected', retryable: true };
      this.#options.logger.warn({ notifier: notifier.name, alerts: due.length, ...described }, 'alert delivery failed; will retry at the next evaluation');
      return { notifier: notifier.name, sent: 0, silenced: silenced.length, error: described };
    }
  }
}
