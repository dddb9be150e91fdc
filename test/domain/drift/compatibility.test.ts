import { describe, expect, test } from 'vitest';
import {
  baselinePsi,
  buildNumericBaseline,
  columnReport,
  countNumeric,
  evidentlyEdges,
  evidentlyFill,
  evidentlyPsi,
  laplaceProportions,
  numericBaselineFromCounts,
  phoenixEdges,
  sturgesBinCount,
  type DataTable,
} from '../../../src/domain/drift/index.js';

const table = (name: string, column: string, cells: (string | null)[]): DataTable => ({ name, columns: [column], rows: cells.map((c) => [c]) });
const psiOf = (reference: (string | null)[], current: (string | null)[], method: 'evidently' | 'phoenix' | 'mlwarden', bins?: number) =>
  columnReport(table('ref', 'x', reference), table('cur', 'x', current), { method, bins }).columns[0];

describe("issue 9 point 8: Evidently's PSI (method 'evidently')", () => {
  test("issue 9 point 8: Evidently's published categorical vector, reference [3,2,2] vs current [1,2,3], gives 2.934147", () => {
    // Values, not counts: reference proportions {2: 2/3, 3: 1/3}, current {1, 2, 3: 1/3 each}; the
    // category 1 is empty in the reference and filled with 1e-4 (its smallest proportion is 1/3 > 1e-4).
    const column = psiOf(['3', '2', '2'], ['1', '2', '3'], 'evidently');
    expect(column?.type).toBe('categorical');
    expect(column?.psi).toBeCloseTo(2.934147, 6);
    expect(Math.abs((column?.psi as number) - 2.934147)).toBeLessThan(1e-6);
  });

  test('the same vector from aligned counts (categories 1, 2, 3)', () => {
    expect(evidentlyPsi([0, 2, 1], [1, 1, 1]).value).toBeCloseTo(2.934147, 6);
  });

  test.each([
    ['an empty bin is filled with 1e-4 when the smallest non-zero proportion is above 1e-4', [0.5, 0.5, 0], [0.5, 0.5, 1e-4]],
    ['an empty bin is filled with m/1e6 when the smallest non-zero proportion m is at most 1e-4', [0.99995, 0.00005, 0], [0.99995, 0.00005, 5e-11]],
    ['no empty bin, nothing changes (no renormalising either)', [0.2, 0.8], [0.2, 0.8]],
  ])('%s', (_sentence, proportions, filled) => {
    expect(evidentlyFill(proportions)).toEqual(filled);
  });

  test.each([
    ["Sturges' rule: 800 values → ⌈log2(800) + 1⌉ = 11 bins", 800, 499, false, 11],
    ['140 values → 9 bins', 140, 57.45, false, 9],
    ['integer data never gets bins narrower than 1 (numpy): 2¹⁰ values over a range of 5 → 5 bins', 1024, 5, true, 5],
    ['a single value → 1 bin', 10, 0, false, 1],
  ])('%s', (_sentence, size, ptp, integers, bins) => {
    expect(sturgesBinCount(size, ptp, integers)).toBe(bins);
  });

  test('numeric bins are equal-width over reference and current combined, as numpy.histogram_bin_edges(…, "sturges") gives them', () => {
    const reference = Array.from({ length: 60 }, (_, i) => 0.5 * i);
    const current = Array.from({ length: 80 }, (_, i) => 0.37 * i + 3);
    // numpy 2.4: [0, 3.58111111, 7.16222222, …, 28.64888889, 32.23], the last edge being the maximum itself
    const edges = evidentlyEdges(reference, current);
    expect(edges).toHaveLength(10);
    expect(edges[0]).toBe(0);
    expect(edges[1]).toBeCloseTo(3.58111111, 8);
    expect(edges[9]).toBe(0.37 * 79 + 3);
  });

  test('a numeric column with more than 20 distinct reference values gives the PSI numpy computes with Evidently\'s procedure', () => {
    // Computed with numpy 2.4 following get_binned_data: histogram_bin_edges(concat, "sturges"),
    // histogram / len, per-side fill, Σ (ref − cur)·ln(ref/cur).
    const reference = Array.from({ length: 60 }, (_, i) => String(0.5 * i));
    const current = Array.from({ length: 80 }, (_, i) => String(0.37 * i + 3));
    const column = psiOf(reference, current, 'evidently');
    expect(column?.type).toBe('numeric');
    expect(column?.psi).toBeCloseTo(0.3056490460624458, 9);
  });

  test('a numeric column with at most 20 distinct reference values is treated as categorical, as Evidently does', () => {
    expect(psiOf(['1', '2', '2', '3'], ['1', '1', '2', '3'], 'evidently')?.type).toBe('categorical');
    expect(psiOf(['1', '2', '2', '3'], ['1', '1', '2', '3'], 'mlwarden')?.type).toBe('numeric');
  });

  test('missing values are dropped, as Evidently drops them before its tests (a spike of nulls is invisible there)', () => {
    const column = psiOf(['a', 'b', 'a', 'b'], ['a', 'b', null, null, null, null], 'evidently');
    expect(column?.psi).toBeCloseTo(0, 12);
    expect(column?.bins.map((b) => b.label)).toEqual(['a', 'b']);
  });
});

describe("issue 9 point 8: Phoenix's PSI (method 'phoenix')", () => {
  // Phoenix's own test vectors (tests/unit/metrics/test_scalar_drift.py): reference [-1, 0, 1, 2, 3, None, ""]
  // (the last two are missing after numeric coercion), current range(i) for i = 0…5, PSI rounded to 4 places.
  const reference = [-1, 0, 1, 2, 3, null, null];
  const currents = [0, 1, 2, 3, 4, 5].map((i) => Array.from({ length: i }, (_, k) => k));

  test.each([
    ['interval bins (−∞,1), [1,2), [2,+∞) with Laplace +1', () => numericBaselineFromCounts({ edges: [1, 2], ...countNumeric(reference, [1, 2]) }, { method: 'phoenix' }), [0.0276, 0.0956, 0.2085, 0.1321, 0.1715, 0.2474]],
    ['quantile bins at probabilities 0.25, 0.5, 0.75 (min and max added) with Laplace +1', () => buildNumericBaseline(reference, { bins: 4, method: 'phoenix' }), [0.0405, 0.1831, 0.2519, 0.1662, 0.1911, 0.2542]],
  ])("issue 9 point 8: Phoenix's published vector for %s", (_sentence, baselineOf, expected) => {
    const baseline = baselineOf();
    const got = currents.map((current) => Number((baselinePsi(baseline, countNumeric(current, baseline.edges)).psi as number).toFixed(4)));
    expect(got).toEqual(expected);
  });

  test('quantile bins drop the min and max cuts: reference −1…3 at quartiles gives edges [0, 1, 2]', () => {
    expect(phoenixEdges([-1, 0, 1, 2, 3], [0.25, 0.5, 0.75])).toEqual([0, 1, 2]);
    expect(phoenixEdges([4, 4, 4], [0.5])).toEqual([4]);
    expect(phoenixEdges([1, 9], [0.5])).toEqual([5]);
  });

  test('Laplace smoothing is (count + 1)/(N + d)', () => {
    expect(laplaceProportions([0, 1, 2, 3, 0, 0, 0])).toEqual([1, 2, 3, 4, 1, 1, 1].map((c) => c / 13));
  });

  test("deciles, a missing bin and Laplace +1: reference 1…20 plus 2 missing vs current 11…30, derived by hand from Phoenix's documented method", () => {
    // Deciles of 1…20 are 1 + 19p: 2.9, 4.8, …, 18.1 (min 1 and max 20 dropped) → 10 bins of 2 reference values.
    // Current 11…30: bins 0–4 empty, bins 5–8 hold 2 each, the last holds 19…30 = 12; missing: ref 2, cur 0.
    // Laplace over d = 11 bins: reference (2+1)/(22+11) = 1/11 everywhere; current (c+1)/(20+11).
    const cur = [0, 0, 0, 0, 0, 2, 2, 2, 2, 12, 0].map((c) => (c + 1) / 31);
    const expected = cur.reduce((acc, q) => acc + (q - 1 / 11) * Math.log(q / (1 / 11)), 0);
    const refValues = [...Array.from({ length: 20 }, (_, i) => String(i + 1)), null, null];
    const curValues = Array.from({ length: 20 }, (_, i) => String(i + 11));
    const column = psiOf(refValues, curValues, 'phoenix');
    expect(column?.bins.map((b) => b.label)).toEqual([
      '(-inf, 2.9)', '[2.9, 4.8)', '[4.8, 6.7)', '[6.7, 8.6)', '[8.6, 10.5)', '[10.5, 12.4)', '[12.4, 14.3)', '[14.3, 16.2)', '[16.2, 18.1)', '[18.1, +inf)', '(missing)',
    ]);
    expect(column?.psi).toBeCloseTo(expected, 12);
  });

  test('categorical: one bin per category seen on either side, missing when present, Laplace +1', () => {
    // reference a:3 b:1 (missing 1), current a:1 c:2: bins a, b, c, missing.
    const ref = [4, 2, 1, 2].map((c) => c / (5 + 4));
    const cur = [2, 1, 3, 1].map((c) => c / (3 + 4));
    const expected = ref.reduce((acc, r, i) => acc + ((cur[i] as number) - r) * Math.log((cur[i] as number) / r), 0);
    expect(psiOf(['a', 'a', 'a', 'b', null], ['a', 'c', 'c'], 'phoenix')?.psi).toBeCloseTo(expected, 12);
  });
});

describe('the default method stays mlwarden', () => {
  test('a report without --method uses mlwarden quantile bins and its epsilon', () => {
    const column = columnReport(table('r', 'x', ['1', '2', '3', '4']), table('c', 'x', ['1', '2', '3', '4'])).columns[0];
    expect(column?.method).toBe('mlwarden');
    expect(buildNumericBaseline([1, 2]).method).toBe('mlwarden');
  });
});
