import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FeatureClient } from '../../../collectors/features/index.js';
import { INGEST_TOKEN, testApp, type TestApp } from '../../support/test-app.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';

let t: TestStore;
let h: TestApp;
let server: ServerType;
let url: string;
beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [] } });
  url = await new Promise<string>((resolve) => {
    server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
  await t.close();
});

interface Row {
  feature: string;
  value: number | null;
  category: string | null;
  observations: number;
  hist_edges: number[];
  hist_counts: number[];
  hist_missing: number;
}

describe('the feature client against the real mlwarden app', () => {
  test('observations and histograms land in ClickHouse as recorded', async () => {
    const client = new FeatureClient({ url, token: INGEST_TOKEN, model: 'fraud', version: 'v3', baselineEdges: { amount: [10, 100] }, categories: { country: ['DE', 'FR'] }, maxNewCategories: 0, flushIntervalMs: 60_000 });
    const amounts = [5, 10, 50, 99.9, 100, 1000, null];
    amounts.forEach((amount, i) => client.record({ amount, country: ['DE', 'FR', 'US'][i % 3] as string, age: 30 + i }, i % 2 === 0 ? 'approve' : 'deny'));
    await client.close();
    expect(client.stats()).toMatchObject({ recorded: 28, sent: 28, dropped: 0, retries: 0 });

    const rows = await t.rows<Row>(
      "SELECT feature, value, category, observations, hist_edges, hist_counts, hist_missing FROM mlwarden.feature_values WHERE model = 'fraud' AND version = 'v3' ORDER BY feature, ts, value, category",
    );
    const of = (f: string) => rows.filter((r) => r.feature === f);
    expect(of('amount')).toEqual([{ feature: 'amount', value: null, category: null, observations: 7, hist_edges: [10, 100], hist_counts: [1, 3, 2], hist_missing: 1 }]);
    expect(of('age').map((r) => r.value)).toEqual([30, 31, 32, 33, 34, 35, 36]);
    expect(of('country').map((r) => r.category).sort()).toEqual(['DE', 'DE', 'DE', 'FR', 'FR', 'other', 'other']);
    expect(of('prediction').map((r) => r.category).sort()).toEqual(['approve', 'approve', 'approve', 'approve', 'deny', 'deny', 'deny']);
  });
});
