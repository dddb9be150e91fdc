import { burnFactor, type AlertTier } from './alert-windows.js';
import { bad, burnRate, type EventCounts } from './burn-rate.js';

export interface TrafficGuard {
  /** Below this many valid events in the long window a tier never fires ("insufficient traffic"). */
  minEvents: number;
  /** Optionally, at least this many bad events in the long window. */
  minBadEvents: number;
}

export type TierStatus = 'burning' | 'ok' | 'insufficient-traffic' | 'no-data';

export interface TierEvaluation {
  tier: AlertTier;
  factor: number;
  longBurn: number | undefined;
  shortBurn: number | undefined;
  status: TierStatus;
}

const EMPTY: EventCounts = { good: 0, total: 0 };

/** Relative slack so a burn exactly at the factor counts as burning despite binary floating point (0.0144 / 0.001 < 14.4). */
const AT_FACTOR = 1 - 1e-9;

/** Decides each tier from exact event counts per window: both windows must burn at or above the factor. */
export function evaluateTier(
  tier: AlertTier,
  objective: number,
  periodMs: number,
  countsByWindow: ReadonlyMap<number, EventCounts>,
  guard: TrafficGuard,
): TierEvaluation {
  const long = countsByWindow.get(tier.longWindowMs) ?? EMPTY;
  const short = countsByWindow.get(tier.shortWindowMs) ?? EMPTY;
  const factor = burnFactor(tier, periodMs);
  const longBurn = burnRate(long, objective);
  const shortBurn = burnRate(short, objective);
  let status: TierStatus;
  if (long.total === 0) status = 'no-data';
  else if (long.total < guard.minEvents || bad(long) < guard.minBadEvents) status = 'insufficient-traffic';
  else status = (longBurn ?? 0) >= factor * AT_FACTOR && (shortBurn ?? 0) >= factor * AT_FACTOR ? 'burning' : 'ok';
  return { tier, factor, longBurn, shortBurn, status };
}
