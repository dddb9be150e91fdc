import { describe, expect, test } from 'vitest';
import {
  assessWindow,
  baselinePsi,
  buildCategoricalBaseline,
  buildNumericBaseline,
  countCategorical,
  countNumeric,
  mlwardenPsi,
  numericBaselineFromCounts,
} from '../../../src/domain/drift/index.js';
import { seededRandom } from '../../support/random.js';

/**
 * Independent references, written here from the definitions and never by calling the code under
 * test: type-7 quantiles, "number of edges ≤ value" binning, and mlwarden's PSI (bins with mass on
 * either side, proportions floored at 1e-4 and renormalised, Σ (cur − ref)·ln(cur/ref)).
 */
const EPS = 1e-4;

function referencePsi(refCounts: number[], curCounts: number[]): number {
  const keep = refCounts.map((r, i) => r > 0 || (curCounts[i] as number) > 0);
  const side = (counts: number[]) => {
    const kept = counts.filter((_, i) => keep[i]);
    const n = kept.reduce((a, b) => a + b, 0);
    const floored = kept.map((c) => Math.max(c / n, EPS));
    const sum = floored.reduce((a, b) => a + b, 0);
    return floored.map((p) => p / sum);
  };
  const r = side(refCounts);
  const c = side(curCounts);
  return r.reduce((acc, ri, i) => acc + ((c[i] as number) - ri) * Math.log((c[i] as number) / ri), 0);
}

function type7(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

function referenceCounts(values: number[], edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[edges.filter((e) => e <= v).length]! += 1;
  return counts;
}

function normals(seed: number, count: number, mean: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => mean + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

/** Φ via Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const DECILES = [-1.2815515655446004, -0.8416212335729143, -0.5244005127080407, -0.2533471031357997, 0, 0.2533471031357997, 0.5244005127080407, 0.8416212335729143, 1.2815515655446004];

describe('issue 4 acceptance 1: PSI of identical distributions is 0', () => {
  test.each([
    ['numeric values, the same sample on both sides', () => {
      const values = normals(1, 5000, 0);
      const baseline = buildNumericBaseline(values);
      return baselinePsi(baseline, countNumeric(values, baseline.edges)).psi;
    }],
    ['numeric values with the same share of missing values', () => {
      const values = [...normals(2, 900, 3), ...new Array<null>(100).fill(null)];
      const baseline = buildNumericBaseline(values);
      return baselinePsi(baseline, countNumeric([...values].reverse(), baseline.edges)).psi;
    }],
    ['categories in the same proportions at a different sample size', () => {
      const reference = [...Array<string>(300).fill('a'), ...Array<string>(100).fill('b'), ...Array<null>(100).fill(null)];
      const current = [...Array<string>(30).fill('a'), ...Array<string>(10).fill('b'), ...Array<null>(10).fill(null)];
      const baseline = buildCategoricalBaseline(reference);
      return baselinePsi(baseline, countCategorical(current, baseline)).psi;
    }],
    ['a single-value feature that keeps its value', () => {
      const baseline = buildNumericBaseline(new Array<number>(500).fill(7));
      return baselinePsi(baseline, countNumeric(new Array<number>(300).fill(7), baseline.edges)).psi;
    }],
  ])('%s', (_sentence, psiOf) => {
    expect(psiOf()).toBeCloseTo(0, 12);
  });
});

describe('issue 4 acceptance 1: shifted normal distributions', () => {
  test.each([
    ['a shift of 0.1 standard deviations', 0.1],
    ['a shift of 0.25 standard deviations', 0.25],
    ['a shift of 0.5 standard deviations', 0.5],
    ['a shift of 1 standard deviation', 1],
    ['a shift of 3 standard deviations (outer bins fill, inner bins empty)', 3],
  ])('%s gives the PSI computed here from decile edges, bin counts and the formula', (_sentence, shift) => {
    const reference = normals(10, 20_000, 0);
    const current = normals(11, 20_000, shift);
    const sorted = [...reference].sort((a, b) => a - b);
    const edges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => type7(sorted, i / 10));
    const expected = referencePsi(referenceCounts(reference, edges), referenceCounts(current, edges));

    const baseline = buildNumericBaseline(reference);
    expect(baseline.edges).toEqual(edges);
    expect(baselinePsi(baseline, countNumeric(current, baseline.edges)).psi).toBeCloseTo(expected, 12);
  });

  test.each([
    ['N(0,1) vs N(0.25,1)', 0.25],
    ['N(0,1) vs N(0.5,1)', 0.5],
    ['N(0,1) vs N(1,1)', 1],
  ])('%s over decile bins approaches the population PSI Σ (q − 0.1)·ln(q/0.1), q = Φ(z_b − μ) − Φ(z_{b−1} − μ)', (_sentence, shift) => {
    const cdf = [0, ...DECILES.map((z) => normalCdf(z - shift)), 1];
    const q = cdf.slice(1).map((c, i) => c - (cdf[i] as number));
    const population = q.reduce((acc, qi) => acc + (qi - 0.1) * Math.log(qi / 0.1), 0);
    const baseline = buildNumericBaseline(normals(20, 200_000, 0));
    const psi = baselinePsi(baseline, countNumeric(normals(21, 200_000, shift), baseline.edges)).psi as number;
    expect(Math.abs(psi - population)).toBeLessThan(0.002 + 0.01 * population);
  });
});

describe('issue 4 acceptance 1: edge cases, each defined', () => {
  const edges = [0, 1, 2];
  const fromCounts = (counts: number[], missing = 0) => numericBaselineFromCounts({ edges, counts, missing });

  test.each([
    ['an empty current bin counts as holding ε = 1e-4 of the window, then both sides are renormalised', [25, 25, 25, 25], [40, 30, 30, 0]],
    ['an empty reference bin that the window fills gets the same floor on the reference side', [50, 50, 0, 0], [40, 40, 20, 0]],
    ['a bin empty on both sides is left out of the sum', [0, 60, 40, 0], [0, 50, 50, 0]],
  ])('%s', (_sentence, refCounts, curCounts) => {
    const result = baselinePsi(fromCounts(refCounts), { counts: curCounts, missing: 0 });
    expect(result.psi).toBeCloseTo(referencePsi(refCounts, curCounts), 12);
    expect(result.binsUsed).toBe(refCounts.filter((r, i) => r > 0 || (curCounts[i] as number) > 0).length);
  });

  test('a single-value feature has one edge and two bins; values below the value are counted in the lower bin and are drift', () => {
    const baseline = buildNumericBaseline(new Array<number>(400).fill(5));
    expect(baseline.edges).toEqual([5]);
    expect(baseline.counts).toEqual([0, 400]);
    const window = countNumeric([...new Array<number>(200).fill(5), ...new Array<number>(200).fill(4.9)], baseline.edges);
    expect(window.counts).toEqual([200, 200]);
    expect(baselinePsi(baseline, window).psi).toBeCloseTo(referencePsi([0, 400], [200, 200]), 12);
  });

  test('an all-null window is not an error: the missing bin takes part and the window is drifting', () => {
    const baseline = fromCounts([250, 250, 250, 250]);
    const window = countNumeric(new Array<null>(500).fill(null), edges);
    expect(window).toEqual({ counts: [0, 0, 0, 0], missing: 500 });
    const assessment = assessWindow(baseline, window);
    expect(assessment.psi).toBeCloseTo(referencePsi([250, 250, 250, 250, 0], [0, 0, 0, 0, 500]), 12);
    expect(assessment.decision.status).toBe('drifting');
  });

  test('a reference with no value at all (only missing) has one bin for every value, and a window of values drifts', () => {
    const baseline = buildNumericBaseline(new Array<null>(300).fill(null));
    expect(baseline.edges).toEqual([]);
    expect(baseline.counts).toEqual([0]);
    expect(baselinePsi(baseline, countNumeric([1, 2, 3], baseline.edges)).psi).toBeCloseTo(referencePsi([0, 300], [3, 0]), 12);
  });

  test('a window with no observations has no PSI and is insufficient, never ok', () => {
    const assessment = assessWindow(fromCounts([1, 1, 1, 1]), { counts: [0, 0, 0, 0], missing: 0 });
    expect(assessment.psi).toBeNull();
    expect(assessment.decision.status).toBe('insufficient');
  });

  test('values outside the reference range land in the open outer bins, never dropped', () => {
    const reference = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const baseline = buildNumericBaseline(reference);
    const current = [...new Array<number>(100).fill(-1e9), ...reference.slice(0, 800), ...new Array<number>(100).fill(1e300)];
    const window = countNumeric(current, baseline.edges);
    expect(window.counts[0]).toBe(100 + 100);
    expect(window.counts[9]).toBe(100);
    expect(window.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(baselinePsi(baseline, window).psi).toBeCloseTo(referencePsi(baseline.counts, window.counts), 12);
  });

  test('unseen categories are counted in "other", named, and drift by the formula with "other" taking part', () => {
    const reference = [...Array<string>(500).fill('DE'), ...Array<string>(300).fill('FR'), ...Array<string>(200).fill('US')];
    const current = [...Array<string>(300).fill('DE'), ...Array<string>(300).fill('FR'), ...Array<string>(200).fill('US'), ...Array<string>(150).fill('BR'), ...Array<string>(50).fill('JP')];
    const baseline = buildCategoricalBaseline(reference);
    const window = countCategorical(current, baseline);
    expect(window).toMatchObject({ counts: [300, 300, 200], other: 200, missing: 0, unseenTotal: 200 });
    expect(window.unseen).toEqual([{ value: 'BR', count: 150 }, { value: 'JP', count: 50 }]);
    expect(baselinePsi(baseline, window).psi).toBeCloseTo(referencePsi([500, 300, 200, 0], [300, 300, 200, 200]), 12);
  });
});

describe('the epsilon of mlwarden PSI', () => {
  test('bins observed on both sides keep their proportions: with no empty bin the value is the plain formula', () => {
    const ref = [10, 20, 30, 40];
    const cur = [40, 30, 20, 10];
    const plain = ref.reduce((acc, r, i) => acc + ((cur[i] as number) / 100 - r / 100) * Math.log((cur[i] as number) / r), 0);
    expect(mlwardenPsi(ref, cur).value).toBeCloseTo(plain, 14);
  });

  test('a bin emptied in the window adds p·ln(p/ε) at most: 0.69 for a 10% bin', () => {
    const ref = new Array<number>(10).fill(100);
    const cur = [0, ...new Array<number>(9).fill(100)];
    const result = mlwardenPsi(ref, cur);
    expect(result.terms[0]?.contribution).toBeCloseTo((1e-4 / 1.0001 - 0.1) * Math.log(1e-4 / 1.0001 / 0.1), 9);
    expect(result.terms[0]?.contribution).toBeLessThan(0.1 * Math.log(0.1 / 1e-4));
  });

  test('the PSI of misaligned counts is refused, naming the field', () => {
    expect(() => mlwardenPsi([1, 2], [1, 2, 3])).toThrow(/counts: reference has 2 bins but current has 3/);
  });
});
