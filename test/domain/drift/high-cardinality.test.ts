import { describe, expect, test } from 'vitest';
import { FrequentItems, assessWindow, buildCategoricalBaseline, countCategorical } from '../../../src/domain/drift/index.js';

/** 100k distinct long-tail categories (2 observations each) plus a few heavy ones with known counts. */
function highCardinality(prefix: string, distinct: number, heavy: Record<string, number>): string[] {
  const values: string[] = [];
  for (let i = 0; i < distinct; i++) values.push(`${prefix}-${i}`, `${prefix}-${i}`);
  for (const [name, count] of Object.entries(heavy)) for (let i = 0; i < count; i++) values.push(name);
  // Interleave deterministically so heavy categories are not all at the end.
  return values.map((v, i) => [v, (i * 2654435761) % values.length] as const).sort((a, b) => a[1] - b[1]).map(([v]) => v);
}

const HEAVY = { checkout: 60_000, search: 40_000, browse: 30_000, cart: 20_000 };

describe('issue 4 acceptance 4 / issue 9 point 9: high-cardinality categories', () => {
  const reference = highCardinality('ref', 100_000, HEAVY);
  const baseline = buildCategoricalBaseline(reference, { topK: 20 });

  test('issue 9 point 9: 100k distinct categories keep the baseline bounded: K bins, a bounded list of names, the heavy categories exact', () => {
    expect(baseline.categories).toHaveLength(20);
    expect(baseline.categories.slice(0, 4)).toEqual(Object.entries(HEAVY).map(([value, count]) => ({ value, count, proportion: count / reference.length })));
    expect(baseline.otherCategories.length).toBeLessThanOrEqual(1000);
    expect(baseline.otherCategoriesComplete).toBe(false);
    expect(baseline.n).toBe(reference.length);
    expect(baseline.other + baseline.categories.reduce((a, c) => a + c.count, 0)).toBe(reference.length);
    expect(JSON.stringify(baseline).length).toBeLessThan(64 * 1024);
  });

  test('issue 9 point 9: the frequent-items summary never holds more than its capacity, whatever the number of distinct items', () => {
    const sketch = new FrequentItems(1000);
    let largest = 0;
    for (const v of reference) {
      sketch.add(v);
      largest = Math.max(largest, sketch.size);
    }
    expect(largest).toBeLessThanOrEqual(1000);
    expect(sketch.complete).toBe(false);
    expect(sketch.candidates().slice(0, 4)).toEqual(Object.keys(HEAVY));
  });

  test('issue 9 point 9: a brand-new category is reported by name with its exact count, among 100k other new categories, in a bounded list', () => {
    const current = highCardinality('cur', 100_000, { ...HEAVY, 'brand-new-campaign': 25_000 });
    const window = countCategorical(current, baseline);
    expect(window.counts).toHaveLength(20);
    expect(window.unseen.length).toBeLessThanOrEqual(10);
    expect(window.unseen[0]).toEqual({ value: 'brand-new-campaign', count: 25_000 });
    expect(window.unseenTotal).toBe(25_000 + 200_000);
    expect(window.other).toBeGreaterThanOrEqual(window.unseenTotal);
    const assessment = assessWindow(baseline, window);
    expect(assessment.bins).toHaveLength(22);
    expect(assessment.unseen[0]?.value).toBe('brand-new-campaign');
  });

  test('a category the reference had (outside the top-K) is rare, not new: only never-seen names are reported', () => {
    const small = buildCategoricalBaseline(['a', 'a', 'a', 'b', 'b', 'rare'], { topK: 2 });
    expect(small).toMatchObject({ otherCategories: ['rare'], otherCategoriesComplete: true });
    const window = countCategorical(['a', 'rare', 'rare', 'fresh', null], small);
    expect(window).toEqual({ counts: [1, 0], other: 3, missing: 1, unseen: [{ value: 'fresh', count: 1 }], unseenTotal: 1 });
  });
});
