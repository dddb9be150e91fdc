import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assessWindow, buildCategoricalBaseline, buildNumericBaseline, countCategorical, countNumeric } from '../../../src/domain/drift/index.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { telemetryInserter, WindowBinner } from '../../../src/store/index.js';
import { seededRandom } from '../../support/random.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';

/** Issue 4 acceptance 2 and 4: the SQL path and the in-memory (CLI) path agree; 100k categories stay bounded. */
const H = 3_600_000;
const END = Date.UTC(2026, 10, 24, 12);
const random = seededRandom(3);
const normal = (mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

let t: TestStore;
const reference = Array.from({ length: 4000 }, (_, i) => (i % 50 === 0 ? null : normal(10, 3)));
const current = Array.from({ length: 3000 }, (_, i) => (i % 20 === 0 ? null : normal(11, 4)));
const refCategories = Array.from({ length: 4000 }, () => `c${Math.floor(random() ** 2 * 40)}`);
const curCategories = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `brand-new-${i % 3}` : `c${Math.floor(random() * 40)}`));
const wide = Array.from({ length: 100_000 }, (_, i) => `id-${i}`);

beforeAll(async () => {
  t = await openTestStore();
  const rows = [
    ...current.map((value, i) => ({ ts: END - H + i * 1000, model: 'm', feature: 'amount', value })),
    ...curCategories.map((category, i) => ({ ts: END - H + i * 1000, model: 'm', feature: 'merchant', category })),
    ...wide.map((category, i) => ({ ts: END - H + (i % 3000) * 1000, model: 'm', feature: 'user_id', category })),
  ];
  await telemetryInserter(t.store.client, 'mlwarden').insert('features', validateRecords('features', rows, END));
}, 60_000);
afterAll(() => t.close());

describe('one PSI, two paths', () => {
  test('numeric: binning in ClickHouse and in memory give the same PSI to 1e-9 (missing values included)', async () => {
    const baseline = buildNumericBaseline(reference);
    const [sql] = await new WindowBinner(t.store.client, 'mlwarden').bins({ model: 'm', features: [{ feature: 'amount', kind: 'numeric', edges: baseline.edges }], from: END - H, to: END, windowMs: H });
    const viaSql = assessWindow(baseline, { counts: sql?.counts ?? [], missing: sql?.missing ?? 0 });
    const inMemory = assessWindow(baseline, countNumeric(current, baseline.edges));
    expect(viaSql.psi).not.toBeNull();
    expect(Math.abs((viaSql.psi as number) - (inMemory.psi as number))).toBeLessThan(1e-9);
    expect(viaSql.decision.status).toBe(inMemory.decision.status);
  });

  test('categorical: the same PSI to 1e-9, and brand-new categories named by both', async () => {
    const baseline = buildCategoricalBaseline(refCategories, { topK: 20 });
    const features = [{ feature: 'merchant', kind: 'categorical' as const, categories: baseline.categories.map((c) => c.value), known: baseline.otherCategories }];
    const [sql] = await new WindowBinner(t.store.client, 'mlwarden').bins({ model: 'm', features, from: END - H, to: END, windowMs: H });
    const k = baseline.categories.length;
    const viaSql = assessWindow(baseline, { counts: (sql?.counts ?? []).slice(0, k), other: sql?.counts[k] ?? 0, missing: sql?.missing ?? 0, unseen: sql?.unseen ?? [], unseenTotal: sql?.unseenTotal ?? 0 });
    const inMemory = assessWindow(baseline, countCategorical(curCategories, baseline));
    expect(Math.abs((viaSql.psi as number) - (inMemory.psi as number))).toBeLessThan(1e-9);
    expect(viaSql.unseen.map((u) => u.value).sort()).toEqual(['brand-new-0', 'brand-new-1', 'brand-new-2']);
    expect(inMemory.unseen.map((u) => u.value).sort()).toEqual(['brand-new-0', 'brand-new-1', 'brand-new-2']);
  });

  test('100,000 distinct categories: the baseline keeps top-K + other and the window reports a bounded list', async () => {
    const baseline = buildCategoricalBaseline(wide, { topK: 20 });
    expect(baseline.categories.length).toBeLessThanOrEqual(20);
    expect(JSON.stringify(baseline).length).toBeLessThan(2_000_000);
    const features = [{ feature: 'user_id', kind: 'categorical' as const, categories: baseline.categories.map((c) => c.value), known: baseline.otherCategories }];
    const [sql] = await new WindowBinner(t.store.client, 'mlwarden').bins({ model: 'm', features, from: END - H, to: END, windowMs: H });
    expect(sql?.counts.length).toBe(baseline.categories.length + 1);
    expect(sql?.counts.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(sql?.unseen.length ?? 0).toBeLessThanOrEqual(10);
  });
});
