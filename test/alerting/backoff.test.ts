import { describe, expect, test } from 'vitest';
import { backoffDelay, retryAfterMs } from '../../src/alerting/index.js';

const options = { initialDelayMs: 500, maxDelayMs: 10_000, multiplier: 2 };

describe('backoffDelay', () => {
  test.each<[string, number, number, number]>([
    ['the first retry waits between half and all of the initial delay', 1, 250, 500],
    ['each retry doubles the range', 3, 1000, 2000],
    ['the range stops growing at the maximum delay', 10, 5000, 10_000],
  ])('%s', (_sentence, retry, low, high) => {
    expect(backoffDelay(retry, options, 0)).toBe(low);
    expect(backoffDelay(retry, options, 0.999_999)).toBeCloseTo(high, 0);
    expect(backoffDelay(retry, options, 0.5)).toBe((low + high) / 2);
  });

  test('a random value outside [0, 1) is clamped, so the delay stays in range', () => {
    expect(backoffDelay(1, options, -3)).toBe(250);
    expect(backoffDelay(1, options, 7)).toBe(500);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  test.each<[string, string | null, number | undefined]>([
    ['delay-seconds become ms', '120', 120_000],
    ['zero seconds means retry now', '0', 0],
    ['surrounding spaces are ignored', ' 3 ', 3000],
    ['an HTTP date is measured from now', 'Wed, 01 Jan 2025 12:00:30 GMT', 30_000],
    ['an HTTP date in the past means retry now', 'Wed, 01 Jan 2025 11:00:00 GMT', 0],
    ['no header gives nothing', null, undefined],
    ['a negative number is not a valid header', '-5', undefined],
    ['a fraction is not a valid header', '1.5', undefined],
    ['garbage is not a valid header', 'soon', undefined],
  ])('%s', (_sentence, header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});
