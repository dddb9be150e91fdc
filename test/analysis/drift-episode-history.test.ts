import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { driftEpisodeSignal, DriftLoop, DriftMetrics, storedVerdicts } from '../../src/analysis/index.js';
import { DEFAULT_DRIFT_POLICY } from '../../src/domain/drift/index.js';
import { BaselineStore, scoredWindowsBetween, WindowBinner, writeDriftScores } from '../../src/store/index.js';
import { seededRandom } from '../support/random.js';
import { ADMIN_TOKEN, INGEST_TOKEN, post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * An episode that lasts longer than the drift lookback keeps its start: the loop follows it back
 * through the stored verdicts, so the retrain it triggered keeps its idempotency key and is not
 * triggered again every window once the episode's first windows leave the lookback.
 */
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0);
const random = seededRandom(21);
const normal = (mean: number) => mean + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

let t: TestStore;
let h: TestApp;
let now = T0;
beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => now, bodyLimitBytes: 16 * 1024 * 1024, tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] } });
  const created = await h.app.request('/v1/baselines', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fraud', features: { amount: { values: Array.from({ length: 4000 }, () => normal(0)) } } }) });
  expect(created.status).toBe(201);
  const records = [];
  for (let w = 0; w < 20; w++) for (let i = 0; i < 400; i++) records.push({ ts: T0 + w * H + i * 9000, model: 'fraud', feature: 'amount', value: normal(w >= 2 ? 1.5 : 0) });
  now = T0 + 20 * H;
  expect((await post(h.app, 'features', records, { authorization: `Bearer ${INGEST_TOKEN}` })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await h.close();
  await t.close();
});

function loop(followBack: boolean): DriftLoop {
  const baselines = new BaselineStore(t.store.client, 'mlwarden');
  const binner = new WindowBinner(t.store.client, 'mlwarden');
  return new DriftLoop({
    baselines: () => baselines.list(),
    readBins: (q) => binner.bins(q),
    writeScores: (rows) => writeDriftScores(t.store.client, 'mlwarden', rows),
    ...(followBack ? { readEarlierVerdicts: storedVerdicts((model, from, to) => scoredWindowsBetween(t.store.client, 'mlwarden', from, to, model)) } : {}),
    metrics: new DriftMetrics(new Registry()),
    settings: { windowMs: H, lookbackWindows: 6, policy: DEFAULT_DRIFT_POLICY, episodes: { openAfter: 3, closeAfter: 3 } },
    logger: pino({ level: 'silent' }),
    intervalMs: 60_000,
    now: () => now,
  });
}

describe('a drift episode longer than the lookback', () => {
  test('keeps the start it had when it opened, window after window, so one retrain answers it', async () => {
    const following = loop(true);
    const starts: number[] = [];
    for (let w = 5; w <= 20; w++) {
      now = T0 + w * H + 60_000;
      const [drift] = await following.runOnce(now);
      const signal = drift && driftEpisodeSignal(drift);
      if (signal) starts.push(signal.episodeStart);
    }
    expect(starts.length).toBeGreaterThan(10);
    expect(new Set(starts)).toEqual(new Set([T0 + 2 * H]));
  });

  test('without the stored verdicts, its start would slide with the lookback (what the history prevents)', async () => {
    const forgetful = loop(false);
    now = T0 + 20 * H + 60_000;
    const [drift] = await forgetful.runOnce(now);
    expect(driftEpisodeSignal(drift!)?.episodeStart).toBe(T0 + 14 * H);
  });
});
