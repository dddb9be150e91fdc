import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TelemetryInserter } from '../../src/store/index.js';
import { telemetryInserter } from '../../src/store/index.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/** Admission happens before a body is read: memory is bounded by a byte budget, not by the client count. */
let t: TestStore;
let h: TestApp;
let release: () => void = () => undefined;
let gate = Promise.resolve();

beforeAll(async () => {
  t = await openTestStore();
  const real = telemetryInserter(t.store.client, 'mlwarden');
  const held: TelemetryInserter = { insert: async (kind, rows) => { await gate; await real.insert(kind, rows); } };
  h = testApp(t, { inserter: held, ingest: { maxInflightBytes: 10_000, maxPendingRows: 1_000 } });
});
afterAll(async () => {
  release();
  await h.close();
  await t.close();
});

const record = (i: number) => ({ ts: '2026-11-24T10:00:00Z', run_id: `r${i}`, kind: 'step', state: 'running', labels: { pad: 'x'.repeat(200) } });

describe('ingest admission', () => {
  test('requests past the in-flight byte budget get 429 with Retry-After at once, the rest are committed', async () => {
    gate = new Promise((r) => (release = r));
    const bodies = Array.from({ length: 8 }, (_, i) => Array.from({ length: 10 }, (_, j) => record(i * 10 + j)));
    const pending = bodies.map((b) => post(h.app, 'runs', b));
    await new Promise((r) => setTimeout(r, 50));
    release();
    const responses = await Promise.all(pending);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    for (const r of responses.filter((x) => x.status === 429)) expect(r.headers.get('retry-after')).toBe('1');
    const accepted = statuses.filter((s) => s === 200).length * 10;
    expect(await t.rows('SELECT count() AS n FROM mlwarden.runs')).toEqual([{ n: accepted }]);
  });

  test('once the earlier requests are answered the budget is free again', async () => {
    const response = await post(h.app, 'runs', [record(1000)]);
    expect(response.status).toBe(200);
  });
});
