import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { telemetryInserter, WindowBinner, type FeatureBins } from '../../../src/store/index.js';
import { seededRandom } from '../../support/random.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';

/** Binning in ClickHouse against stored edges equals binning the same values here, window by window. */
const H = 3_600_000;
const END = Date.UTC(2026, 10, 24, 12);
const EDGES = [-1, -0.25, 0, 0.3, 1.5];
const CATEGORIES = ['DE', 'FR', 'US'];
const random = seededRandom(7);

let t: TestStore;
const sent: Array<{ ts: number; feature: string; value?: number | null; category?: string | null }> = [];

beforeAll(async () => {
  t = await openTestStore();
  for (let i = 0; i < 5000; i++) {
    const ts = END - Math.floor(random() * 3 * H) - 1;
    const r = random();
    sent.push({ ts, feature: 'amount', value: r < 0.05 ? null : r < 0.1 ? EDGES[Math.floor(random() * EDGES.length)] : (random() - 0.5) * 6 });
    const c = random();
    sent.push({ ts, feature: 'country', category: c < 0.03 ? null : c < 0.1 ? `new-${Math.floor(random() * 3)}` : c < 0.15 ? 'IT' : (CATEGORIES[Math.floor(random() * 3)] as string) });
  }
  sent.push({ ts: END - 10, feature: 'amount', value: 1e300 }, { ts: END - 10, feature: 'amount', value: -1e300 });
  const histograms = [
    { ts: END - 30 * 60_000, model: 'fraud', feature: 'amount', edges: EDGES, counts: [1, 2, 3, 4, 5, 6], missing: 7 },
    { ts: END - 30 * 60_000, model: 'fraud', feature: 'amount', edges: [0, 1], counts: [1, 1, 1] },
  ];
  const records = [...sent.map((s) => ({ ...s, model: 'fraud' })), ...histograms, { ts: END - 5, model: 'other-model', feature: 'amount', value: 0 }];
  await telemetryInserter(t.store.client, 'mlwarden').insert('features', validateRecords('features', records, END));
}, 60_000);
afterAll(() => t.close());

const features: FeatureBins[] = [
  { feature: 'amount', kind: 'numeric', edges: EDGES },
  { feature: 'country', kind: 'categorical', categories: CATEGORIES, known: ['IT'] },
];

function referenceNumeric(windowStart: number) {
  const counts = new Array<number>(EDGES.length + 1).fill(0);
  let missing = 0;
  for (const s of sent.filter((x) => x.feature === 'amount' && x.ts >= windowStart && x.ts < windowStart + H)) {
    if (s.value === null || s.value === undefined) missing++;
    else {
      const bin = EDGES.filter((e) => e <= (s.value as number)).length;
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
  }
  return { counts, missing };
}

function referenceCategorical(windowStart: number) {
  const counts = new Array<number>(CATEGORIES.length + 1).fill(0);
  let missing = 0;
  const unseen = new Map<string, number>();
  for (const s of sent.filter((x) => x.feature === 'country' && x.ts >= windowStart && x.ts < windowStart + H)) {
    if (s.category === null || s.category === undefined) missing++;
    else {
      const i = CATEGORIES.indexOf(s.category);
      const bin = i < 0 ? CATEGORIES.length : i;
      counts[bin] = (counts[bin] ?? 0) + 1;
      if (i < 0 && s.category !== 'IT') unseen.set(s.category, (unseen.get(s.category) ?? 0) + 1);
    }
  }
  return { counts, missing, unseen };
}

describe('window binning in ClickHouse', () => {
  test('numeric values are binned like the in-memory path: edges go right, out-of-range values fill the open outer bins', async () => {
    const bins = await new WindowBinner(t.store.client, 'mlwarden').bins({ model: 'fraud', features, from: END - 3 * H, to: END, windowMs: H });
    for (const start of [END - 3 * H, END - 2 * H, END - H]) {
      const got = bins.find((b) => b.feature === 'amount' && b.windowStart === start);
      const want = referenceNumeric(start);
      if (start === END - H) {
        want.counts = want.counts.map((c, i) => c + [1, 2, 3, 4, 5, 6][i]!);
        want.missing += 7;
      }
      expect(got?.counts).toEqual(want.counts);
      expect(got?.missing).toBe(want.missing);
      expect(got?.mismatchedHistograms).toBe(start === END - H ? 1 : 0);
    }
  });

  test('categories outside the baseline fall into "other"; ones the reference never saw are named', async () => {
    const bins = await new WindowBinner(t.store.client, 'mlwarden').bins({ model: 'fraud', features, from: END - 3 * H, to: END, windowMs: H });
    for (const start of [END - 3 * H, END - 2 * H, END - H]) {
      const got = bins.find((b) => b.feature === 'country' && b.windowStart === start);
      const want = referenceCategorical(start);
      expect(got?.counts).toEqual(want.counts);
      expect(got?.missing).toBe(want.missing);
      expect(Object.fromEntries((got?.unseen ?? []).map((u) => [u.value, u.count]))).toEqual(Object.fromEntries(want.unseen));
      expect(got?.unseenTotal).toBe([...want.unseen.values()].reduce((a, b) => a + b, 0));
    }
  });

  test('another model\'s observations are not counted', async () => {
    const bins = await new WindowBinner(t.store.client, 'mlwarden').bins({ model: 'other-model', features, from: END - 3 * H, to: END, windowMs: H });
    expect(bins.map((b) => [b.feature, b.counts])).toEqual([['amount', [0, 0, 0, 1, 0, 0]]]);
  });
});
