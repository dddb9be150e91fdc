import { describe, expect, test } from 'vitest';
import {
  alignHistogram,
  binIndex,
  buildCategoricalBaseline,
  buildNumericBaseline,
  countNumeric,
  edgesFromQuantiles,
  numericBinLabels,
  parseBaseline,
} from '../../../src/domain/drift/index.js';
import { isMlwardenError } from '../../../src/domain/errors.js';

describe('bin edge semantics (the SQL path counts exactly like this)', () => {
  const edges = [0, 1, 2];
  test.each([
    ['a value below the first edge goes to bin 0', -0.5, 0],
    ['a value equal to an edge goes to the bin on its right', 1, 2],
    ['a value equal to the first edge goes to bin 1', 0, 1],
    ['a value between two edges goes to the bin they bound', 1.5, 2],
    ['a value equal to the last edge goes to the last bin', 2, 3],
    ['a value above the last edge goes to the last bin', 1e300, 3],
    ['−∞ goes to bin 0', -Infinity, 0],
    ['+∞ goes to the last bin', Infinity, 3],
    ['−0 counts as 0 and goes right of the edge 0', -0, 1],
  ])('%s', (_sentence, value, bin) => {
    expect(binIndex(value, edges)).toBe(bin);
    expect(edges.filter((e) => e <= value).length).toBe(bin);
  });

  test('null, undefined and NaN are missing values, never a bin', () => {
    expect(countNumeric([null, undefined, Number.NaN, 0.5], edges)).toEqual({ counts: [0, 1, 0, 0], missing: 3 });
  });

  test('with no edges every value is in the one bin', () => {
    expect(countNumeric([-1e9, 0, 1e9], [])).toEqual({ counts: [3], missing: 0 });
  });

  test('labels show the open outer bins and left-closed inner bins', () => {
    expect(numericBinLabels([0.5, 2])).toEqual(['(-inf, 0.5)', '[0.5, 2)', '[2, +inf)']);
    expect(numericBinLabels([40.900000000000006])).toEqual(['(-inf, 40.9)', '[40.9, +inf)']);
  });
});

describe('numeric baselines from reference values', () => {
  test.each([
    ['1..400 in 10 bins cuts at the type-7 deciles 1 + 39.9·i, 40 values per bin', Array.from({ length: 400 }, (_, i) => i + 1), 10,
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => 1 + 39.9 * i), new Array<number>(10).fill(40)],
    ['1..400 in 4 bins cuts at the quartiles', Array.from({ length: 400 }, (_, i) => i + 1), 4, [100.75, 200.5, 300.25], [100, 100, 100, 100]],
    ['a 70/30 binary feature collapses duplicate deciles to [0, 0.3, 1] (0.3 interpolates at the 70% decile)',
      [...new Array<number>(70).fill(0), ...new Array<number>(30).fill(1)], 10, [0, 0.3, 1], [0, 70, 0, 30]],
    ['a single value gives one edge and two bins', new Array<number>(50).fill(-3), 10, [-3], [0, 50]],
  ])('%s', (_sentence, values, bins, edges, counts) => {
    const baseline = buildNumericBaseline(values, { bins });
    baseline.edges.forEach((e, i) => expect(e).toBeCloseTo(edges[i] as number, 9));
    expect(baseline.edges).toHaveLength(edges.length);
    expect(baseline.counts).toEqual(counts);
  });

  test('missing values are counted apart and do not shape the edges', () => {
    const baseline = buildNumericBaseline([1, 2, 3, 4, null, Number.NaN], { bins: 2 });
    expect(baseline.edges).toEqual([2.5]);
    expect(baseline).toMatchObject({ counts: [2, 2], missing: 2, n: 6, missingProportion: 2 / 6 });
  });

  test('quantiles computed elsewhere (SQL) become edges: sorted, finite, duplicates collapsed', () => {
    expect(edgesFromQuantiles([3, 1, 1, Number.NaN, 2, 2, Infinity])).toEqual([1, 2, 3]);
  });

  test('a bin count outside 2..1000 is refused naming the field', () => {
    expect(() => buildNumericBaseline([1, 2, 3], { bins: 1 })).toThrow(/bins: must be an integer from 2 to 1000/);
  });
});

describe('categorical baselines: top-K + other + missing', () => {
  const values = [...'AAAAABBBBCCCDDE'.split(''), null, null];

  test('the K most frequent categories get bins, the rest share "other", and their names are remembered', () => {
    const baseline = buildCategoricalBaseline(values, { topK: 2 });
    expect(baseline.categories).toEqual([
      { value: 'A', count: 5, proportion: 5 / 17 },
      { value: 'B', count: 4, proportion: 4 / 17 },
    ]);
    expect(baseline).toMatchObject({ other: 6, missing: 2, n: 17, otherCategories: ['C', 'D', 'E'], otherCategoriesComplete: true });
  });

  test('ties are broken by name so the same data always gives the same baseline', () => {
    expect(buildCategoricalBaseline(['b', 'a', 'c', 'a', 'b', 'c'], { topK: 2 }).categories.map((c) => c.value)).toEqual(['a', 'b']);
  });
});

describe('stored baselines', () => {
  test('a built baseline survives JSON and parses back to the same value (no Infinity in JSON)', () => {
    for (const baseline of [buildNumericBaseline([1, 5, 2, 8, null, 3]), buildCategoricalBaseline(['x', 'y', 'x', null])]) {
      const json = JSON.stringify(baseline);
      expect(json).not.toMatch(/Infinity|null/);
      expect(parseBaseline(JSON.parse(json))).toEqual(baseline);
    }
  });

  test('proportions, n and epsilon may be left out; they are derived (epsilon by method)', () => {
    expect(parseBaseline({ kind: 'numeric', edges: [0], counts: [1, 3] })).toEqual({
      kind: 'numeric', method: 'mlwarden', edges: [0], counts: [1, 3], missing: 0, n: 4, proportions: [0.25, 0.75], missingProportion: 0, epsilon: 1e-4,
    });
    expect(parseBaseline({ kind: 'categorical', method: 'phoenix', categories: [{ value: 'a', count: 2 }] })).toMatchObject({ epsilon: 1, n: 2 });
  });

  test.each([
    ['counts must have one entry more than edges', { kind: 'numeric', edges: [0, 1], counts: [1, 1] }, 'counts'],
    ['edges must increase strictly', { kind: 'numeric', edges: [1, 1], counts: [1, 1, 1] }, 'edges.1'],
    ['edges must be finite (JSON cannot carry ±∞; the outer bins are open anyway)', { kind: 'numeric', edges: [Infinity], counts: [1, 1] }, 'edges.0'],
    ['a given n must match the counts', { kind: 'numeric', edges: [0], counts: [1, 1], n: 3 }, 'n'],
    ['given proportions must match the counts', { kind: 'numeric', edges: [0], counts: [1, 1], proportions: [0.9, 0.1] }, 'proportions.0'],
    ['a reference must hold observations', { kind: 'numeric', edges: [], counts: [0] }, 'counts'],
    ['a category may not be listed twice', { kind: 'categorical', categories: [{ value: 'a', count: 1 }, { value: 'a', count: 2 }] }, 'categories.1.value'],
    ['the method must be one mlwarden knows', { kind: 'numeric', method: 'nannyml', edges: [], counts: [1] }, 'method'],
  ])('%s', (_sentence, input, field) => {
    try {
      parseBaseline(input);
      expect.unreachable('should have been refused');
    } catch (error) {
      expect(isMlwardenError(error) && error.kind).toBe('invalid');
      expect(isMlwardenError(error) && error.problems.map((p) => p.field)).toContain(field);
    }
  });
});

describe('pre-aggregated histograms against a baseline', () => {
  test('a histogram binned at the baseline edges or finer merges exactly', () => {
    expect(alignHistogram({ edges: [-1, 0, 0.5, 1, 2], counts: [1, 2, 3, 4, 5, 6], missing: 7 }, [0, 1])).toEqual({ counts: [3, 7, 11], missing: 7 });
  });

  test('a histogram lacking a baseline edge is refused, naming the edge, rather than guessing a split', () => {
    expect(() => alignHistogram({ edges: [0, 2], counts: [1, 1, 1], missing: 0 }, [0, 1])).toThrow(/missing baseline edge\(s\) 1/);
  });
});
