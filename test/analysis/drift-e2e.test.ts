import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DriftLoop, DriftMetrics, type ModelDrift } from '../../src/analysis/index.js';
import { DEFAULT_DRIFT_POLICY } from '../../src/domain/drift/index.js';
import { BaselineStore, WindowBinner, windowCounts, writeDriftScores } from '../../src/store/index.js';
import { seededRandom } from '../support/random.js';
import { ADMIN_TOKEN, INGEST_TOKEN, post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * Issue 4, acceptance 3, on chDB: a baseline is registered through the API; serving observations
 * drift from window 4 on; the episode opens after 3 drifting windows and not before; the drift SLI
 * and /metrics show it; returning to the baseline closes it.
 */
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 24, 0);
const random = seededRandom(11);
const normal = (mean: number) => mean + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const INGEST = { authorization: `Bearer ${INGEST_TOKEN}` };

let t: TestStore;
let h: TestApp;
let loop: DriftLoop;
let now = T0;
const opened: string[] = [];
const drifted = (w: number) => w >= 4 && w <= 8;

beforeAll(async () => {
  t = await openTestStore();
  const baselines = new BaselineStore(t.store.client, 'mlwarden');
  const binner = new WindowBinner(t.store.client, 'mlwarden');
  h = testApp(t, {
    now: () => now,
    bodyLimitBytes: 16 * 1024 * 1024,
    tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] },
    drift: { latest: (m) => loop.latest.get(m), models: () => [...loop.latest.keys()] },
  });
  loop = new DriftLoop({
    baselines: () => baselines.list(),
    readBins: (q) => binner.bins(q),
    writeScores: (rows) => writeDriftScores(t.store.client, 'mlwarden', rows),
    metrics: new DriftMetrics(h.registry),
    settings: { windowMs: H, lookbackWindows: 12, policy: DEFAULT_DRIFT_POLICY, episodes: { openAfter: 3, closeAfter: 3 } },
    onEpisodeOpened: (s) => opened.push(`${s.model}/${s.feature}`),
    logger: pino({ level: 'silent' }),
    intervalMs: 60_000,
    now: () => now,
  });
  const reference = {
    amount: { values: Array.from({ length: 5000 }, () => normal(0)) },
    country: { values: Array.from({ length: 5000 }, () => ['DE', 'FR', 'US', 'IT'][Math.floor(random() * 4)] as string) },
  };
  const created = await h.app.request('/v1/baselines', { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fraud', features: reference }) });
  expect(created.status, await created.clone().text()).toBe(201);
  const records = [];
  for (let w = 0; w < 12; w++) {
    for (let i = 0; i < 600; i++) {
      const ts = T0 + w * H + i * 5000;
      records.push({ ts, model: 'fraud', version: 'v1', feature: 'amount', value: normal(drifted(w) ? 1 : 0) });
      records.push({ ts, model: 'fraud', version: 'v1', feature: 'country', category: ['DE', 'FR', 'US', 'IT'][Math.floor(random() * 4)] });
    }
  }
  now = T0 + 12 * H;
  expect((await post(h.app, 'features', records, INGEST)).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await h.close();
  await t.close();
});

async function at(windowsDone: number): Promise<ModelDrift> {
  now = T0 + windowsDone * H + 60_000;
  const [drift] = await loop.runOnce(now);
  return drift as ModelDrift;
}

describe('drift end to end', () => {
  test('a baseline registered through the API is rejected when a feature mixes numbers and text, and admin-only', async () => {
    const bad = await h.app.request('/v1/baselines', { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'x', features: { f: { kind: 'numeric', values: [1, 'a'] } } }) });
    expect(bad.status).toBe(400);
    const forbidden = await h.app.request('/v1/baselines', { method: 'POST', headers: { ...INGEST, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'x', features: { f: { values: [1] } } }) });
    expect(forbidden.status).toBe(403);
    expect(await new BaselineStore(t.store.client, 'mlwarden').list({ model: 'x' })).toEqual([]);
  });

  test('two drifting windows open nothing; the third opens the episode for the drifted feature only', async () => {
    const early = await at(6);
    expect(early.openEpisodes).toEqual([]);
    const amount = early.features.find((f) => f.feature === 'amount');
    expect(amount?.windows.filter((w) => w.assessment.decision.status === 'drifting').map((w) => (w.start - T0) / H)).toEqual([4, 5]);
    const later = await at(7);
    expect(later.openEpisodes.map((e) => [e.feature, (e.start - T0) / H])).toEqual([['amount', 4]]);
    expect(opened).toEqual(['fraud/amount']);
    expect(later.share.drifting).toEqual(['amount']);
  });

  test('the API and /metrics show the open episode and the PSI', async () => {
    const response = await h.app.request('/v1/drift?model=fraud', { headers: INGEST });
    const body = (await response.json()) as { open_episodes: Array<{ feature: string }>; features: Array<{ feature: string; psi: number; status: string }> };
    expect(body.open_episodes.map((e) => e.feature)).toEqual(['amount']);
    expect(body.features.find((f) => f.feature === 'amount')?.status).toBe('drifting');
    expect(body.features.find((f) => f.feature === 'country')?.status).toBe('ok');
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toContain('mlwarden_drift_episode_open{model="fraud",feature="amount"} 1');
    expect(metrics).toContain('mlwarden_drift_episode_open{model="fraud",feature="country"} 0');
    expect(metrics).toMatch(/mlwarden_drift_psi\{model="fraud",feature="amount"\} 0\.[1-9]/);
    // The last cycle's end, for the "drift loop stalled" alert: the loop's clock at its last run.
    expect(metrics).toContain(`mlwarden_drift_last_cycle_timestamp_seconds ${now / 1000}`);
  });

  test('the drift SLI counts the drifting feature-windows as bad', async () => {
    const [row] = await windowCounts(t.store.client, 'mlwarden', { sli: { type: 'drift', model: 'fraud', features: ['amount'] }, groupBy: [], starts: [T0], end: T0 + 12 * H });
    expect(row?.counts[0]).toEqual({ good: 4, total: 7 });
  });

  test('returning to the baseline for three windows closes the episode', async () => {
    const drift = await at(12);
    const amount = drift.features.find((f) => f.feature === 'amount');
    expect(drift.openEpisodes).toEqual([]);
    expect(amount?.episodes.map((e) => [(e.start - T0) / H, e.end === null ? null : (e.end - T0) / H])).toEqual([[4, 9]]);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toContain('mlwarden_drift_episode_open{model="fraud",feature="amount"} 0');
  });
});
