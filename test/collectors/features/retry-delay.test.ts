import { describe, expect, test } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelayMs } from '../../../collectors/features/retry-delay.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const policy = (random: number) => ({ retryBaseMs: 500, retryMaxMs: 30_000, random: () => random });

describe('retryDelayMs', () => {
  test.each([
    ['the first retry waits between half the base and the base', 1, 0, 250],
    ['the first retry with the most jitter waits almost the base', 1, 0.999, 499.75],
    ['each failure doubles the ceiling', 4, 0, 2000],
    ['the ceiling stops at retryMaxMs', 20, 0.999, 29_985],
    ['a huge attempt number does not overflow', 10_000, 0, 15_000],
  ])('%s', (_, attempt, random, expected) => {
    expect(retryDelayMs(attempt, undefined, policy(random))).toBeCloseTo(expected, 6);
  });

  test('Retry-After wins over the backoff, up to a cap', () => {
    expect(retryDelayMs(1, 7000, policy(0.5))).toBe(7000);
    expect(retryDelayMs(1, 86_400_000, policy(0.5))).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('parseRetryAfter', () => {
  test.each([
    ['delay-seconds', '3', 3000],
    ['an HTTP-date', new Date(NOW + 5000).toUTCString(), 5000],
    ['an HTTP-date already past', new Date(NOW - 5000).toUTCString(), 0],
    ['no header', null, undefined],
    ['garbage', 'soon', undefined],
    ['a negative number', '-3', undefined],
  ])('%s', (_, header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});
