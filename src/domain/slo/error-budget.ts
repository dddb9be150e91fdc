import { bad, burnRate, type EventCounts } from './burn-rate.js';
import type { Period } from './period.js';

export interface ErrorBudget {
  /** Bad events the objective allows for the valid events seen so far in the period. */
  allowedBad: number;
  consumedFraction: number | undefined;
  remainingFraction: number | undefined;
  /** At the given burn rate, how long until the budget is gone (0 if gone; undefined if not burning). */
  timeToExhaustionMs: number | undefined;
}

/**
 * Event-based budget over the period so far: allowed bad = (1 − objective) × valid events. An
 * empty period has no budget figures (undefined), never a poisoned NaN or a fake 100%.
 */
export function errorBudget(period: EventCounts, objective: number, periodInfo: Period, currentBurnRate: number | undefined): ErrorBudget {
  const allowedBad = (1 - objective) * period.total;
  if (period.total === 0) return { allowedBad, consumedFraction: undefined, remainingFraction: undefined, timeToExhaustionMs: undefined };
  const consumedFraction = bad(period) / allowedBad;
  const remainingFraction = 1 - consumedFraction;
  return { allowedBad, consumedFraction, remainingFraction, timeToExhaustionMs: timeToExhaustion(remainingFraction, periodInfo.lengthMs, currentBurnRate) };
}

/** Remaining share of the budget divided by the rate it is consumed: burn rate b spends the whole budget in period / b. */
export function timeToExhaustion(remainingFraction: number, periodLengthMs: number, rate: number | undefined): number | undefined {
  if (remainingFraction <= 0) return 0;
  if (rate === undefined || rate <= 0) return undefined;
  return (remainingFraction * periodLengthMs) / rate;
}

export { burnRate };
