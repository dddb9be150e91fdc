import { describe, expect, test } from 'vitest';
import {
  DEFAULT_DRIFT_POLICY,
  assessWindow,
  chiSquareCdf,
  chiSquareQuantile,
  countNumeric,
  decideDrift,
  driftPolicySchema,
  noDriftCriticalValue,
  numericBaselineFromCounts,
  simulatedCriticalValue,
  smallSampleFactor,
  windowCriticalValue,
} from '../../../src/domain/drift/index.js';
import { seededRandom } from '../../support/random.js';

describe('chi-square quantiles against published tables', () => {
  test.each([
    ['df = 9, α = 0.01 → 21.666', 9, 0.01, 21.666],
    ['df = 1, α = 0.05 → 3.841', 1, 0.05, 3.841],
    ['df = 30, α = 0.01 → 50.892', 30, 0.01, 50.892],
    ['df = 2, α = 0.05 → 5.991', 2, 0.05, 5.991],
    ['df = 4, α = 0.10 → 7.779', 4, 0.1, 7.779],
    ['df = 21, α = 0.01 → 38.932', 21, 0.01, 38.932],
    ['df = 100, α = 0.001 → 149.449', 100, 0.001, 149.449],
    ['df = 1, α = 0.5 → 0.455 (the median)', 1, 0.5, 0.455],
  ])('%s', (_sentence, df, alpha, table) => {
    expect(chiSquareQuantile(1 - alpha, df)).toBeCloseTo(table, 3);
  });

  test.each([[1], [9], [30], [999]])('the CDF of χ²(%i) at its 0.99 quantile is 0.99', (df) => {
    expect(chiSquareCdf(chiSquareQuantile(0.99, df), df)).toBeCloseTo(0.99, 10);
  });

  test('a quantile outside (0, 1) or df ≤ 0 is refused', () => {
    expect(() => chiSquareQuantile(1, 3)).toThrow(RangeError);
    expect(() => chiSquareQuantile(0.5, 0)).toThrow(RangeError);
  });
});

describe('the no-drift critical value (1/n + 1/m)·χ²_{B−1, 1−α}', () => {
  test.each([
    ['n = m = 100, 10 bins: 0.02 × 21.666 = 0.433, far above a fixed 0.1', 100, 100, 10, 0.02 * 21.665994333461924],
    ['n = m = 1,000, 10 bins: 0.0433, below 0.1 so the threshold decides', 1000, 1000, 10, 0.002 * 21.665994333461924],
    ['a huge reference leaves the window size to decide: n = 10⁶, m = 200', 1_000_000, 200, 10, (1e-6 + 0.005) * 21.665994333461924],
    ['one bin cannot show drift: 0', 100, 100, 1, 0],
  ])('%s', (_sentence, n, m, bins, expected) => {
    expect(noDriftCriticalValue(n, m, bins)).toBeCloseTo(expected, 9);
  });

  test('the small-sample factor is 1 + (1/n² + 1/m²)(Σ 1/p̄ − B) / (2(B−1)(1/n + 1/m)): 1.05 for ten equal bins at n = m = 100', () => {
    expect(smallSampleFactor(new Array<number>(10).fill(0.1), 100, 100)).toBeCloseTo(1 + (2e-4 * 90) / (2 * 9 * 0.02), 12);
    expect(smallSampleFactor(new Array<number>(10).fill(0.1), 100, 100)).toBeCloseTo(1.05, 12);
    expect(smallSampleFactor(new Array<number>(10).fill(0.1), 1e6, 1e6)).toBeCloseTo(1, 4);
  });
});

describe('drift decisions', () => {
  const policy = DEFAULT_DRIFT_POLICY;
  test.each([
    ['a window under the minimum size is insufficient, whatever its PSI', { psi: 5, bins: 10, n: 10_000, m: 199 }, 'insufficient', 'none'],
    ['no PSI (nothing comparable) is insufficient', { psi: null, bins: 0, n: 10_000, m: 0 }, 'insufficient', 'none'],
    ['PSI over 0.1 but under the critical value is ok (at these sizes identical data gets there by chance)', { psi: 0.15, bins: 10, n: 200, m: 200 }, 'ok', 'none'],
    ['PSI over 0.1 and over the critical value is moderate drift', { psi: 0.15, bins: 10, n: 100_000, m: 5_000 }, 'drifting', 'moderate'],
    ['PSI over 0.25 and over the critical value is significant drift', { psi: 0.3, bins: 10, n: 100_000, m: 5_000 }, 'drifting', 'significant'],
    ['PSI over 0.25 but under the critical value (0.27 at m = 80) is ok', { psi: 0.26, bins: 10, n: 100_000, m: 80 }, 'ok', 'none', 50],
    ['PSI under 0.1 is ok however large the samples', { psi: 0.09, bins: 10, n: 1e7, m: 1e7 }, 'ok', 'none'],
  ])('%s', (_sentence, evidence, status, severity, minSampleSize = policy.minSampleSize) => {
    const decision = decideDrift(evidence, { ...policy, minSampleSize });
    expect(decision.status).toBe(status);
    expect(decision.severity).toBe(severity);
  });

  test('the reason names the PSI, threshold, critical value and sizes', () => {
    expect(decideDrift({ psi: 0.15, bins: 10, n: 200, m: 200 }).reason).toBe(
      'PSI 0.150 exceeds the threshold but not what identical distributions reach by chance at these sizes: threshold 0.100, no-drift critical value 0.217 (n=200, m=200, B=10, α=0.01)',
    );
  });

  test('per-feature thresholds are configurable and validated', () => {
    expect(driftPolicySchema.parse({ moderate: 0.2, significant: 0.5, min_sample_size: 50, alpha: 0.05 })).toEqual({ moderate: 0.2, significant: 0.5, minSampleSize: 50, alpha: 0.05 });
    expect(driftPolicySchema.parse({})).toEqual(DEFAULT_DRIFT_POLICY);
    expect(driftPolicySchema.safeParse({ moderate: 0.3, significant: 0.2 }).success).toBe(false);
  });
});

/** N(0,1) deciles: fixed bin edges, so the reference counts are sampled too, as the critical value assumes. */
const DECILES = [-1.2815515655446004, -0.8416212335729143, -0.5244005127080407, -0.2533471031357997, 0, 0.2533471031357997, 0.5244005127080407, 0.8416212335729143, 1.2815515655446004];

function simulate(seed: number, size: number, windows: number, minSampleSize: number) {
  const random = seededRandom(seed);
  const sample = () => Array.from({ length: size }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  let fixedThreshold = 0;
  const statuses = { ok: 0, drifting: 0, insufficient: 0 };
  for (let w = 0; w < windows; w++) {
    const reference = countNumeric(sample(), DECILES);
    const baseline = numericBaselineFromCounts({ edges: DECILES, counts: reference.counts, missing: 0 });
    const assessment = assessWindow(baseline, countNumeric(sample(), DECILES), { ...DEFAULT_DRIFT_POLICY, minSampleSize });
    if ((assessment.psi as number) > 0.1) fixedThreshold++;
    statuses[assessment.decision.status]++;
  }
  return { fixedThreshold: fixedThreshold / windows, drifting: statuses.drifting / windows, insufficient: statuses.insufficient / windows };
}

describe('issue 9 point 7: sample-size-aware decisions', () => {
  const alpha = DEFAULT_DRIFT_POLICY.alpha;

  test('issue 9 point 7: with identical distributions and n = m = 100, a fixed 0.1 threshold flags most windows; mlwarden flags at most α of them', () => {
    for (const seed of [2026, 1, 2]) {
      const { fixedThreshold, drifting } = simulate(seed, 100, 4000, 100);
      expect(fixedThreshold).toBeGreaterThan(0.8);
      expect(drifting).toBeLessThanOrEqual(alpha);
    }
  });

  test('issue 9 point 7: the χ² limit alone would not hold α at n = m = 100; the simulated null quantile does, deterministically', () => {
    const pooled = Array.from({ length: 10 }, () => 0.1);
    const chi = noDriftCriticalValue(100, 100, 10, alpha, pooled);
    const simulated = simulatedCriticalValue(pooled, 100, 100, alpha);
    expect(simulated).toBeGreaterThan(chi);
    expect(simulatedCriticalValue(pooled, 100, 100, alpha)).toBe(simulated);
    // A PSI under the χ² value never pays for the simulation, and is no drift either way.
    expect(windowCriticalValue(chi / 2, 100, 100, 10, alpha, pooled)).toBe(chi);
    expect(windowCriticalValue(chi * 1.01, 100, 100, 10, alpha, pooled)).toBe(simulated);
    // Large windows keep the χ² value.
    expect(windowCriticalValue(1, 5000, 5000, 10, alpha, pooled)).toBe(noDriftCriticalValue(5000, 5000, 10, alpha, pooled));
  });

  test('issue 9 point 7: at the default minimum window (200) identical distributions are flagged in at most about α of windows', () => {
    const { drifting } = simulate(7, 200, 4000, 200);
    expect(drifting).toBeLessThanOrEqual(alpha);
  });

  test('issue 9 point 7: with the default policy, 100-observation windows are insufficient data, never drifting nor ok', () => {
    expect(simulate(3, 100, 200, DEFAULT_DRIFT_POLICY.minSampleSize)).toMatchObject({ drifting: 0, insufficient: 1 });
  });

  test('issue 9 point 7: real drift is still caught at n = m = 100 (a one-standard-deviation shift)', () => {
    const random = seededRandom(5);
    const sample = (shift: number) => Array.from({ length: 100 }, () => shift + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    let caught = 0;
    for (let w = 0; w < 200; w++) {
      const baseline = numericBaselineFromCounts({ edges: DECILES, counts: countNumeric(sample(0), DECILES).counts, missing: 0 });
      if (assessWindow(baseline, countNumeric(sample(1), DECILES), { ...DEFAULT_DRIFT_POLICY, minSampleSize: 100 }).decision.status === 'drifting') caught++;
    }
    expect(caught / 200).toBeGreaterThan(0.9);
  });
});
