import { MlwardenError } from '../domain/errors.js';
import type { AlertNotification } from './notification.js';
import { isSilenced, type Silence } from './silence.js';

export interface ResendOptions {
  /** A firing alert is re-sent this often (Alertmanager forgets alerts that are not). */
  resendIntervalMs: number;
  /** Extra sends of a resolved alert, one per interval after the first, in case one was lost. Default 2. */
  resolvedRepeats?: number | undefined;
}

/** What one receiver was last given for one alert (dedupeKey), in the alert's current firing episode. */
export interface DeliveryRecord {
  /** startsAt of the episode: a new episode starts from scratch. */
  startsAt: number;
  /** `none`: the episode was seen, but only while silenced, so nobody was told it fired. */
  delivered: 'none' | 'firing' | 'resolved';
  lastSentAt: number | undefined;
  /** Deliveries of `delivered` in this episode. */
  sends: number;
}

/** Delivery records by dedupeKey: plain data, kept by the caller between evaluations. */
export type DeliveryLedger = ReadonlyMap<string, DeliveryRecord>;

export interface DeliveryPlan {
  /** To send now. */
  due: AlertNotification[];
  /** Held back by a silence. */
  silenced: AlertNotification[];
  /** The ledger after planning: silenced episodes marked, alerts no longer handed in forgotten. */
  ledger: DeliveryLedger;
}

const intervalPassed = (record: DeliveryRecord, now: number, intervalMs: number): boolean =>
  record.lastSentAt === undefined || now < record.lastSentAt || now - record.lastSentAt >= intervalMs;

/**
 * Whether a notification is due. Firing: when new (or a new episode, or never delivered as firing) and
 * then every interval. Resolved: once when it was delivered as firing, then `resolvedRepeats` more times
 * an interval apart; also when we have no record of it (after a restart: a redundant "resolved" is better
 * than an alert stuck open); never when the whole episode was silenced. A clock that went backwards
 * counts as an elapsed interval.
 */
export function isDue(n: AlertNotification, record: DeliveryRecord | undefined, now: number, options: ResendOptions): boolean {
  if (record === undefined || record.startsAt !== n.startsAt) return true;
  if (n.state === 'firing') return record.delivered !== 'firing' || intervalPassed(record, now, options.resendIntervalMs);
  if (record.delivered === 'none') return false;
  if (record.delivered === 'firing') return true;
  return record.sends <= (options.resolvedRepeats ?? 2) && intervalPassed(record, now, options.resendIntervalMs);
}

/** Decides what to send at `now`. Pure: returns a new ledger, changes nothing it is given. */
export function planDelivery(notifications: readonly AlertNotification[], ledger: DeliveryLedger, silences: readonly Silence[], now: number, options: ResendOptions): DeliveryPlan {
  const next = new Map<string, DeliveryRecord>();
  const due: AlertNotification[] = [];
  const silenced: AlertNotification[] = [];
  for (const n of notifications) {
    const record = ledger.get(n.dedupeKey);
    if (isSilenced(n.labels, silences, now)) {
      silenced.push(n);
      const sameEpisode = record !== undefined && record.startsAt === n.startsAt;
      next.set(n.dedupeKey, sameEpisode ? record : { startsAt: n.startsAt, delivered: 'none', lastSentAt: undefined, sends: 0 });
      continue;
    }
    if (isDue(n, record, now, options)) due.push(n);
    if (record !== undefined) next.set(n.dedupeKey, record);
  }
  return { due, silenced, ledger: next };
}

/** The ledger after `delivered` reached the receiver at `now`. */
export function recordDelivered(ledger: DeliveryLedger, delivered: readonly AlertNotification[], now: number): DeliveryLedger {
  const next = new Map(ledger);
  for (const n of delivered) {
    const record = ledger.get(n.dedupeKey);
    const again = record !== undefined && record.startsAt === n.startsAt && record.delivered === n.state;
    next.set(n.dedupeKey, { startsAt: n.startsAt, delivered: n.state, lastSentAt: now, sends: again ? record.sends + 1 : 1 });
  }
  return next;
}

/** The resend policy for one receiver, keeping its ledger: plan, send, then record what got through. */
export class ResendPolicy {
  #ledger: DeliveryLedger = new Map();

  constructor(readonly options: ResendOptions) {
    if (!(options.resendIntervalMs > 0)) throw new MlwardenError('invalid', `resendIntervalMs must be positive, got ${options.resendIntervalMs}`);
    const repeats = options.resolvedRepeats;
    if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 0)) throw new MlwardenError('invalid', `resolvedRepeats must be a whole number ≥ 0, got ${repeats}`);
  }

  get ledger(): DeliveryLedger {
    return this.#ledger;
  }

  plan(notifications: readonly AlertNotification[], silences: readonly Silence[], now: number): Omit<DeliveryPlan, 'ledger'> {
    const { ledger, ...plan } = planDelivery(notifications, this.#ledger, silences, now, this.options);
    this.#ledger = ledger;
    return plan;
  }

  delivered(notifications: readonly AlertNotification[], now: number): void {
    this.#ledger = recordDelivered(this.#ledger, notifications, now);
  }
}
