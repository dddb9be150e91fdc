import { describe, expect, test } from 'vitest';
import { freshMinutes, periodAt } from '../../../src/domain/slo/index.js';

const MIN = 60_000;
const DAY = 86_400_000;

describe('SLO periods', () => {
  test('a rolling 30-day window ends now', () => {
    const now = Date.UTC(2026, 10, 24, 12);
    expect(periodAt({ kind: 'rolling', durationMs: 30 * DAY }, now)).toEqual({ start: now - 30 * DAY, end: now, lengthMs: 30 * DAY });
  });

  test.each([
    ['November in UTC has 30 days', Date.UTC(2026, 10, 24, 12), 'UTC', Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
    ['February 2028 (leap year) has 29 days', Date.UTC(2028, 1, 10), 'UTC', Date.UTC(2028, 1, 1), Date.UTC(2028, 2, 1)],
    ['in Berlin, November starts at 23:00 UTC on 31 October (CET, UTC+1)', Date.UTC(2026, 10, 24, 12), 'Europe/Berlin', Date.UTC(2026, 9, 31, 23), Date.UTC(2026, 10, 30, 23)],
    ['in Berlin, October spans the DST change (31 days minus nothing: 744h + 1h)', Date.UTC(2026, 9, 15), 'Europe/Berlin', Date.UTC(2026, 8, 30, 22), Date.UTC(2026, 9, 31, 23)],
    ['just after midnight on 1 December in Tokyo it is December there', Date.UTC(2026, 10, 30, 15, 30), 'Asia/Tokyo', Date.UTC(2026, 10, 30, 15), Date.UTC(2026, 11, 31, 15)],
  ])('calendar month: %s', (_name, now, timeZone, start, end) => {
    expect(periodAt({ kind: 'calendar', unit: 'month', timeZone }, now)).toEqual({ start, end, lengthMs: end - start });
  });

  test('a calendar week runs Monday to Monday (ISO 8601)', () => {
    const tuesday = Date.UTC(2026, 10, 24, 12);
    expect(periodAt({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, tuesday)).toEqual({ start: Date.UTC(2026, 10, 23), end: Date.UTC(2026, 10, 30), lengthMs: 7 * DAY });
  });

  test('on a Sunday in New York the week began the previous Monday, local midnight', () => {
    const sundayNoon = Date.UTC(2026, 10, 29, 17);
    const period = periodAt({ kind: 'calendar', unit: 'week', timeZone: 'America/New_York' }, sundayNoon);
    expect(period.start).toBe(Date.UTC(2026, 10, 23, 5));
  });
});

describe('data freshness in minutes', () => {
  const start = 0;
  test.each([
    ['data every minute keeps every minute fresh', [...Array(60).keys()].map((m) => m * MIN), 60 * MIN, 5 * MIN, 60],
    ['an arrival before the window covers its start; stale minutes after count', [-3 * MIN], 60 * MIN, 5 * MIN, 2],
    ['overlapping coverage is not counted twice', [-MIN, 10 * MIN, 11 * MIN, 12 * MIN], 60 * MIN, 5 * MIN, 11],
    ['coverage stops at the window end', [-60 * MIN, 58 * MIN], 60 * MIN, 5 * MIN, 2],
    ['a threshold of 90 s covers the arrival minute and the next', [-60 * MIN, 10 * MIN], 60 * MIN, 90_000, 2],
  ])('%s', (_name, arrivals, end, threshold, good) => {
    expect(freshMinutes(arrivals, start, end, threshold)).toEqual({ good, total: 60 });
  });

  test('minutes before the first arrival are not valid: a model that never sent data has no data, not stale data', () => {
    expect(freshMinutes([], 0, 60 * MIN, 5 * MIN)).toEqual({ good: 0, total: 0 });
    expect(freshMinutes([10 * MIN], 0, 60 * MIN, 5 * MIN)).toEqual({ good: 5, total: 50 });
  });
});
