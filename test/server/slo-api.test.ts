import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateSlo, type SloEvaluation } from '../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../src/domain/slo/index.js';
import { windowCounts } from '../../src/store/index.js';
import { ADMIN_TOKEN, INGEST_TOKEN, post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const SPEC = `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: fraud-latency }
spec:
  objective: 99
  sli: { type: latency, model: fraud, threshold_ms: 200 }
  group_by: [version]
  alerting: { min_events: 10 }
`;
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const INGEST = { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' };

let t: TestStore;
let h: TestApp;
let slo: Slo;
let evaluation: SloEvaluation;

beforeAll(async () => {
  t = await openTestStore();
  slo = loadSloSpecs([{ name: 'api.yaml', text: SPEC }], NOW)[0] as Slo;
  h = testApp(t, {
    now: () => NOW,
    tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] },
    slo: { slos: () => [slo], latest: () => evaluation, alerts: () => [{ severity: 'page', state: 'firing', since: new Date(NOW).toISOString(), labels: { version: 'v2' } }] },
  });
  const records = Array.from({ length: 600 }, (_, i) => ({ ts: NOW - 1 - i * 1000, model: 'fraud', version: i % 2 ? 'v1' : 'v2', status: 200, latency_ms: i % 2 ? 50 : i % 10 === 0 ? 900 : 50 }));
  expect((await post(h.app, 'requests', records, INGEST)).status).toBe(200);
  evaluation = await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, NOW);
});
afterAll(async () => {
  await h.close();
  await t.close();
});

describe('GET /v1/slos', () => {
  test('lists each SLO with objective, window, SLI, budget, burn rates per window and alerts, as fractions', async () => {
    const response = await h.app.request('/v1/slos', { headers: INGEST });
    expect(response.status).toBe(200);
    const [view] = (await response.json()) as Array<Record<string, unknown>>;
    expect(view).toMatchObject({ name: 'fraud-latency', objective: 0.99, window: '30d', sli: { type: 'latency', threshold_ms: 200 }, status: 'burning' });
    expect(view?.sli_value).toBeCloseTo(1 - 60 / 600, 9);
    expect(Object.keys(view?.burn_rates as object)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', 'period']);
    expect((view?.burn_rates as Record<string, number>)['1h']).toBeCloseTo(60 / 600 / 0.01, 9);
    expect(view?.calendar_budget).toMatchObject({ unit: 'month', time_zone: 'UTC', start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' });
    expect((view?.calendar_budget as { remaining: number }).remaining).toBeCloseTo(1 - 60 / (0.01 * 600), 9);
    expect(view?.alerts).toEqual([{ severity: 'page', state: 'firing', since: new Date(NOW).toISOString(), labels: { version: 'v2' } }]);
    expect((view?.groups as Array<{ labels: object }>).map((g) => g.labels)).toEqual(expect.arrayContaining([{ version: 'v1' }, { version: 'v2' }]));
  });

  test('GET /v1/slos/{name} adds history; an unknown name is a 404', async () => {
    const ok = await h.app.request('/v1/slos/fraud-latency', { headers: INGEST });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'fraud-latency', history: [] });
    const missing = await h.app.request('/v1/slos/nope', { headers: INGEST });
    expect(missing.status).toBe(404);
  });

  test('reading SLOs needs a token', async () => {
    expect((await h.app.request('/v1/slos')).status).toBe(401);
  });
});

describe('latency SLIs without bucket guesswork (issue 9, point 6)', () => {
  test('issue 9 point 6: raw latencies are judged exactly; a threshold inside a histogram bucket is said so, with the events it touched', async () => {
    const exact = (await (await h.app.request('/v1/slos/fraud-latency', { headers: INGEST })).json()) as { latency_threshold: { interpolated_events: number; note: string } };
    expect(exact.latency_threshold.interpolated_events).toBe(0);
    expect(exact.latency_threshold.note).toMatch(/every event was judged exactly against 200 ms/);
    const batch = [{ ts: NOW - 5000, model: 'fraud', version: 'v3', count: 70, errors: 0, latency_buckets: { '100': 40, '250': 25, '+Inf': 5 } }];
    expect((await post(h.app, 'requests', batch, INGEST)).status).toBe(200);
    const view = (await (await h.app.request('/v1/slos/fraud-latency', { headers: INGEST })).json()) as {
      latency_threshold: { raw_events: number; bucketed_events: number; interpolated_events: number; straddling_buckets: unknown[]; note: string };
    };
    expect(view.latency_threshold).toMatchObject({ raw_events: 600, bucketed_events: 70, interpolated_events: 25, straddling_buckets: [{ lower: 100, upper: 250, events: 25 }] });
    expect(view.latency_threshold.note).toMatch(/falls inside bucket \(100, 250\] ms: 25 events there are counted by linear interpolation/);
  });
});

describe('silences', () => {
  test('an admin creates, lists and deletes a silence; it is stored in ClickHouse', async () => {
    const created = await h.app.request('/v1/silences', {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ matchers: { slo: 'fraud-latency', severity: 'page' }, ends_at: '2026-11-24T14:00:00Z', comment: 'deploy window', created_by: 'alice' }),
    });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string; starts_at: string };
    expect(silence.starts_at).toBe(new Date(NOW).toISOString());
    const active = (await (await h.app.request('/v1/silences?active=true', { headers: INGEST })).json()) as Array<{ id: string; matchers: object }>;
    expect(active).toEqual([expect.objectContaining({ id: silence.id, matchers: { slo: 'fraud-latency', severity: 'page' }, comment: 'deploy window' })]);
    const extended = await h.app.request(`/v1/silences/${silence.id}`, {
      method: 'PUT',
      headers: ADMIN,
      body: JSON.stringify({ matchers: { slo: 'fraud-latency' }, ends_at: '2026-11-24T16:00:00Z', comment: 'deploy window, extended' }),
    });
    expect(extended.status).toBe(200);
    expect(await extended.json()).toMatchObject({ id: silence.id, matchers: { slo: 'fraud-latency' }, ends_at: '2026-11-24T16:00:00.000Z', created_by: 'alice' });
    expect((await (await h.app.request('/v1/silences', { headers: INGEST })).json()) as unknown[]).toHaveLength(1);
    expect((await h.app.request(`/v1/silences/${silence.id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(204);
    expect(await (await h.app.request('/v1/silences', { headers: INGEST })).json()).toEqual([]);
    expect((await h.app.request(`/v1/silences/${silence.id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(404);
  });

  test.each([
    ['no matchers', { matchers: {}, ends_at: '2026-11-24T14:00:00Z' }, 'matchers'],
    ['an end in the past', { matchers: { slo: 'x' }, ends_at: '2026-11-24T11:00:00Z' }, 'ends_at'],
    ['an end before the start', { matchers: { slo: 'x' }, starts_at: '2026-11-24T15:00:00Z', ends_at: '2026-11-24T14:00:00Z' }, 'ends_at'],
    ['an unknown field', { matchers: { slo: 'x' }, ends_at: '2026-11-24T14:00:00Z', until: 'x' }, '(body)'],
  ])('a silence with %s is refused naming the field, and nothing is stored', async (_name, body, field) => {
    const response = await h.app.request('/v1/silences', { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(field);
    expect(await (await h.app.request('/v1/silences', { headers: INGEST })).json()).toEqual([]);
  });

  test('an ingest token cannot create silences (403)', async () => {
    const response = await h.app.request('/v1/silences', { method: 'POST', headers: INGEST, body: JSON.stringify({ matchers: { slo: 'x' }, ends_at: '2026-11-24T14:00:00Z' }) });
    expect(response.status).toBe(403);
  });
});
