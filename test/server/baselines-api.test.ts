import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCategoricalBaseline, buildNumericBaseline, type CategoricalBaseline, type NumericBaseline } from '../../src/domain/drift/index.js';
import { BaselineStore } from '../../src/store/index.js';
import { seededRandom } from '../support/random.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const H = 3_600_000;
const END = Date.UTC(2026, 10, 24, 12);
const random = seededRandom(5);
const values = Array.from({ length: 3000 }, (_, i) => (i % 30 === 0 ? null : Math.round(random() * 1e6) / 1e3));
const countries = Array.from({ length: 3000 }, () => ['DE', 'FR', 'US', 'IT', 'ES'][Math.floor(random() ** 2 * 5)] as string);

let t: TestStore;
let h: TestApp;
beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => END, bodyLimitBytes: 4 * 1024 * 1024 });
  const rows = [
    ...values.map((value, i) => ({ ts: END - 2 * H + i * 1000, model: 'fraud', version: 'v1', feature: 'amount', value })),
    ...countries.map((category, i) => ({ ts: END - 2 * H + i * 1000, model: 'fraud', version: 'v1', feature: 'country', category })),
    { ts: END - 3 * H, model: 'fraud', version: 'v1', feature: 'amount', value: 1e9 },
  ];
  expect((await post(h.app, 'features', rows)).status).toBe(200);
});
afterAll(async () => {
  await h.close();
  await t.close();
});

describe('POST /v1/baselines from a time range of serving data', () => {
  test('numeric edges and counts equal building the baseline in memory from the same values', async () => {
    const response = await h.app.request('/v1/baselines', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fraud', version: 'v1', from: new Date(END - 2 * H).toISOString(), to: new Date(END).toISOString(), top_k: 3 }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const body = (await response.json()) as Array<{ feature: string; baseline: NumericBaseline | CategoricalBaseline }>;
    const amount = body.find((b) => b.feature === 'amount')?.baseline as NumericBaseline;
    const expected = buildNumericBaseline(values);
    expect(amount.edges).toEqual(expected.edges);
    expect(amount.counts).toEqual(expected.counts);
    expect(amount.missing).toBe(expected.missing);
    const country = body.find((b) => b.feature === 'country')?.baseline as CategoricalBaseline;
    const wanted = buildCategoricalBaseline(countries, { topK: 3 });
    expect(country.categories.map((c) => [c.value, c.count])).toEqual(wanted.categories.map((c) => [c.value, c.count]));
    expect(country.other).toBe(wanted.other);
    const stored = await new BaselineStore(t.store.client, 'mlwarden').list({ model: 'fraud' });
    expect(stored.map((s) => [s.feature, s.source])).toEqual([['amount', 'serving'], ['country', 'serving']]);
  });

  test('an empty range and a reversed range are refused naming the field, storing nothing new', async () => {
    const empty = await h.app.request('/v1/baselines', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nobody', from: END - H, to: END }) });
    expect(empty.status).toBe(400);
    const reversed = await h.app.request('/v1/baselines', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fraud', from: END, to: END - H }) });
    expect(reversed.status).toBe(400);
    expect(await new BaselineStore(t.store.client, 'mlwarden').list({ model: 'nobody' })).toEqual([]);
  });
});
