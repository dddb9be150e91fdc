import { describe, expect, test } from 'vitest';
import { DEFAULT_TIERS, burnFactor, nominalLengthMs, tierFeasibility, tierWindows, type AlertTier } from '../../../src/domain/slo/index.js';

const H = 3_600_000;
const DAY = 24 * H;
const tier = (name: string) => DEFAULT_TIERS.find((t) => t.name === name) as AlertTier;
const monthOf = (iso: string) => nominalLengthMs({ kind: 'calendar', unit: 'month', timeZone: 'UTC' }, Date.parse(iso));

describe('burn-rate factors (budget fraction × period / long window)', () => {
  // The Google SRE Workbook's table for 30 days, and the same tiers scaled to 28 days (Sloth's google-28d windows).
  test.each([
    ['a 30-day SLO pages when 2% of its budget burns in 1h: 14.4×', 'page-fast', 30 * DAY, 14.4],
    ['a 30-day SLO pages when 5% of its budget burns in 6h: 6×', 'page-slow', 30 * DAY, 6],
    ['a 30-day SLO opens a ticket when 10% of its budget burns in 1d: 3×', 'ticket-fast', 30 * DAY, 3],
    ['a 30-day SLO opens a ticket when 10% of its budget burns in 3d: 1×', 'ticket-slow', 30 * DAY, 1],
    ['a 28-day SLO scales the 1h page to 13.44×', 'page-fast', 28 * DAY, 13.44],
    ['a 28-day SLO scales the 6h page to 5.6×', 'page-slow', 28 * DAY, 5.6],
    ['a 28-day SLO scales the 1d ticket to 2.8×', 'ticket-fast', 28 * DAY, 2.8],
    ['a 28-day SLO scales the 3d ticket to 0.933…×', 'ticket-slow', 28 * DAY, 28 / 30],
    ['a 7-day SLO scales the 1h page to 3.36×', 'page-fast', 7 * DAY, 3.36],
  ])('%s', (_sentence, name, periodMs, factor) => {
    expect(burnFactor(tier(name), periodMs)).toBeCloseTo(factor, 12);
  });

  test.each([
    ['a 31-day calendar month pages at 14.88× over 1h', '2025-01-15T12:00:00Z', 31, 14.88],
    ['a 30-day calendar month pages at 14.4× over 1h, as the rolling 30 days', '2025-04-15T12:00:00Z', 30, 14.4],
    ['February (28 days) pages at 13.44× over 1h, as the rolling 28 days', '2025-02-10T12:00:00Z', 28, 13.44],
    ['February of a leap year (29 days) pages at 13.92× over 1h', '2024-02-10T12:00:00Z', 29, 13.92],
  ])('%s', (_sentence, now, days, factor) => {
    expect(monthOf(now)).toBe(days * DAY);
    expect(burnFactor(tier('page-fast'), monthOf(now))).toBeCloseTo(factor, 12);
  });

  test('each default tier has a short window of 1/12 of its long one', () => {
    for (const t of DEFAULT_TIERS) expect(t.shortWindowMs * 12).toBe(t.longWindowMs);
  });

  test('the tiers need the windows 5m, 30m, 1h, 2h, 6h, 1d and 3d', () => {
    expect(tierWindows(DEFAULT_TIERS)).toEqual([5 * 60_000, 30 * 60_000, H, 2 * H, 6 * H, DAY, 3 * DAY]);
  });
});

describe('tier feasibility (factor × (1 − objective) ≤ 1)', () => {
  test.each([
    ['a 99.9% SLO can fire every tier (the 14.4× page needs 1.44% errors)', 0.999, 'page-fast', true],
    ['a 95% SLO can still fire the 14.4× page (72% errors)', 0.95, 'page-fast', true],
    ['issue 9 point 3: a 90% SLO can never fire the 14.4× page (it needs 144% errors)', 0.9, 'page-fast', false],
    ['a 90% SLO can fire the 6× page (60% errors)', 0.9, 'page-slow', true],
    ['an 80% SLO can never fire the 6× page (120% errors)', 0.8, 'page-slow', false],
    ['at the edge, 1 − 1/14.4 (93.06%) is the lowest objective whose 14.4× page can fire', 1 - 1 / 14.4, 'page-fast', true],
  ])('%s', (_sentence, objective, name, feasible) => {
    expect(tierFeasibility(tier(name), objective, 30 * DAY).feasible).toBe(feasible);
  });

  test('issue 9 point 3: an impossible tier says why, with the factor, window and error ratio it would need', () => {
    expect(tierFeasibility(tier('page-fast'), 0.9, 30 * DAY).reason).toBe(
      'tier page-fast (14.400× over 1h) can never fire: it needs an error ratio of 144.0% with a 90% objective',
    );
  });
});
