import { describe, expect, test } from 'vitest';
import { DEFAULT_TIERS, errorBudget, evaluateTier, stepAlert, timeToExhaustion, INACTIVE, type AlertTier, type EventCounts } from '../../../src/domain/slo/index.js';

const H = 3_600_000;
const DAY = 24 * H;
const PERIOD = { start: 0, end: 30 * DAY, lengthMs: 30 * DAY };
const pageFast = DEFAULT_TIERS.find((t) => t.name === 'page-fast') as AlertTier;
const guard = { minEvents: 100, minBadEvents: 0 };
const windows = (long: EventCounts, short: EventCounts) => new Map([[pageFast.longWindowMs, long], [pageFast.shortWindowMs, short]]);

describe('error budget', () => {
  test('a 99.9% SLO with 1,000,000 events allows 1,000 bad ones; 250 bad leaves 75%', () => {
    const b = errorBudget({ good: 999_750, total: 1_000_000 }, 0.999, PERIOD, 1);
    expect(b.allowedBad).toBeCloseTo(1000, 9);
    expect(b.consumedFraction).toBeCloseTo(0.25, 12);
    expect(b.remainingFraction).toBeCloseTo(0.75, 12);
  });

  test('an overspent budget is negative and exhausted now', () => {
    const b = errorBudget({ good: 997_000, total: 1_000_000 }, 0.999, PERIOD, 5);
    expect(b.remainingFraction).toBeCloseTo(-2, 12);
    expect(b.timeToExhaustionMs).toBe(0);
  });

  test('no events means no budget figures at all, not NaN and not 100%', () => {
    expect(errorBudget({ good: 0, total: 0 }, 0.999, PERIOD, undefined)).toEqual({ allowedBad: 0, consumedFraction: undefined, remainingFraction: undefined, timeToExhaustionMs: undefined });
  });

  test.each([
    ['burning at 1× uses the rest of the budget over the rest of a period-length', 0.5, 1, 15 * DAY],
    ['burning at 14.4× uses 50% of a 30-day budget in 25 hours', 0.5, 14.4, 25 * H],
    ['no burn never exhausts', 0.5, 0, undefined],
  ])('%s', (_name, remaining, rate, expected) => {
    const value = timeToExhaustion(remaining, 30 * DAY, rate);
    if (expected === undefined) expect(value).toBeUndefined();
    else expect(value).toBeCloseTo(expected, 3);
  });
});

describe('tier evaluation', () => {
  test.each([
    ['both windows at 15× burn → burning', { good: 98_500, total: 100_000 }, { good: 9_850, total: 10_000 }, 'burning'],
    ['long window burning but the short one recovered → ok', { good: 98_500, total: 100_000 }, { good: 10_000, total: 10_000 }, 'ok'],
    ['a 0.9× burn → ok', { good: 99_910, total: 100_000 }, { good: 9_991, total: 10_000 }, 'ok'],
    ['issue 9 point 2: 3 requests with 1 error (a 333× burn) → insufficient traffic, never a page', { good: 2, total: 3 }, { good: 2, total: 3 }, 'insufficient-traffic'],
    ['no requests at all → no data (no data is not a failure)', { good: 0, total: 0 }, { good: 0, total: 0 }, 'no-data'],
  ] as const)('%s', (_name, long, short, status) => {
    expect(evaluateTier(pageFast, 0.999, 30 * DAY, windows(long, short), guard).status).toBe(status);
  });

  test('issue 9 point 2: the same 33% error ratio at volume does burn', () => {
    expect(evaluateTier(pageFast, 0.999, 30 * DAY, windows({ good: 2000, total: 3000 }, { good: 200, total: 300 }), guard).status).toBe('burning');
  });

  test('issue 9 point 2: a minimum of bad events keeps a handful of errors from paging', () => {
    const result = evaluateTier(pageFast, 0.999, 30 * DAY, windows({ good: 995, total: 1000 }, { good: 95, total: 100 }), { minEvents: 100, minBadEvents: 10 });
    expect(result.status).toBe('insufficient-traffic');
  });

  test('the burn threshold is exactly the factor: 1.44% errors burns at 14.4×', () => {
    const result = evaluateTier(pageFast, 0.999, 30 * DAY, windows({ good: 98_560, total: 100_000 }, { good: 9_856, total: 10_000 }), guard);
    expect(result.longBurn).toBeCloseTo(14.4, 9);
    expect(result.status).toBe('burning');
  });
});

describe('alert state', () => {
  const FOR = 2 * 60_000;
  test.each([
    ['a condition first seen goes pending', INACTIVE, true, 1000, { phase: 'pending', since: 1000 }],
    ['pending for less than `for` stays pending', { phase: 'pending', since: 1000 }, true, 1000 + FOR - 1, { phase: 'pending', since: 1000 }],
    ['pending for `for` fires', { phase: 'pending', since: 1000 }, true, 1000 + FOR, { phase: 'firing', since: 1000 + FOR, firingSince: 1000 + FOR }],
    ['pending that clears goes inactive without ever firing', { phase: 'pending', since: 1000 }, false, 5000, { phase: 'inactive', since: 5000 }],
    ['firing that clears resolves and remembers when it fired', { phase: 'firing', since: 9, firingSince: 9 }, false, 50, { phase: 'resolved', since: 50, firingSince: 9 }],
    ['firing that holds keeps its start', { phase: 'firing', since: 9, firingSince: 9 }, true, 50, { phase: 'firing', since: 9, firingSince: 9 }],
    ['a resolved alert that burns again goes pending anew', { phase: 'resolved', since: 50, firingSince: 9 }, true, 60, { phase: 'pending', since: 60 }],
  ] as const)('%s', (_name, previous, condition, now, expected) => {
    expect(stepAlert(previous, condition, now, FOR)).toEqual(expected);
  });

  test('with for: 0 a condition fires at once', () => {
    expect(stepAlert(INACTIVE, true, 7, 0)).toEqual({ phase: 'firing', since: 7, firingSince: 7 });
  });
});
