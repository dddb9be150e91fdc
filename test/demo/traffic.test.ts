import { describe, expect, test } from 'vitest';
import { diurnalFactor, latencyBuckets, requestBatch, SeededRandom, type TrafficSource } from '../../src/simulate/fleet/index.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
const FRAUD: TrafficSource = { model: 'fraud', namespace: 'serving', version: 'v1', requestsPerMinute: 600, profile: { latency_ms: { p50: 45, p99: 200 }, error_rate: 0.01 } };

const day = (seed: number, source = FRAUD) => {
  const rng = new SeededRandom(seed);
  return Array.from({ length: 1440 }, (_, i) => requestBatch(source, T0 + i * MIN, rng));
};

describe('the traffic generator', () => {
  test('the same seed gives the same day of traffic, record for record', () => {
    expect(day(7)).toEqual(day(7));
  });

  test('another seed gives other traffic', () => {
    expect(day(8)).not.toEqual(day(7));
  });

  test('forked streams are deterministic and independent of each other', () => {
    const a = new SeededRandom(7).fork('fraud');
    const b = new SeededRandom(7).fork('fraud');
    const c = new SeededRandom(7).fork('churn');
    const draw = (r: SeededRandom) => Array.from({ length: 5 }, () => r.next());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  test('each batch is a valid pre-aggregated request record: buckets sum to the count, errors within it', () => {
    for (const row of day(3)) {
      const r = row as { count: number; errors: number; latency_buckets: Record<string, number> };
      expect(Object.values(r.latency_buckets).reduce((a, b) => a + b, 0)).toBe(r.count);
      expect(r.errors).toBeGreaterThanOrEqual(0);
      expect(r.errors).toBeLessThanOrEqual(r.count);
    }
  });

  test('volume follows the day: the afternoon peak carries about four times the pre-dawn trough', () => {
    const rows = day(5) as Array<{ count: number; ts: number }>;
    const hourTotal = (h: number) => rows.filter((r) => new Date(r.ts).getUTCHours() === h).reduce((s, r) => s + r.count, 0);
    expect(hourTotal(15) / hourTotal(3)).toBeGreaterThan(3);
    expect(diurnalFactor(T0 + 15 * 3_600_000)).toBeCloseTo(1.6, 1);
    expect(diurnalFactor(T0 + 3 * 3_600_000)).toBeCloseTo(0.4, 1);
  });

  test('latency buckets follow the version profile: about 1% of requests over its p99', () => {
    const buckets = latencyBuckets(100_000, { p50: 50, p99: 250 });
    const over = Object.entries(buckets).filter(([bound]) => bound === '+Inf' || Number(bound) > 250).reduce((s, [, n]) => s + n, 0);
    expect(over / 100_000).toBeCloseTo(0.01, 2);
    const underMedian = buckets['5']! + buckets['10']! + buckets['25']! + buckets['50']!;
    expect(underMedian / 100_000).toBeCloseTo(0.5, 2);
  });

  test('error counts follow the error rate', () => {
    const rows = day(9) as Array<{ count: number; errors: number }>;
    const count = rows.reduce((s, r) => s + r.count, 0);
    const errors = rows.reduce((s, r) => s + r.errors, 0);
    expect(errors / count).toBeCloseTo(0.01, 2);
  });
});
