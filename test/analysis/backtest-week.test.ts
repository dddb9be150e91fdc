/**
 * Issue 8, acceptance 4: over a simulated week, the backtest reports the actions the live run took,
 * and no others. The live PolicyEngine (acting on the Kubernetes and KFP emulators) is stepped
 * every 20 minutes through a week of drift episodes and pages; the same week is in the store as the
 * live loops would have left it (drift_scores, alert_events); the backtest replays it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBacktest } from '../../src/analysis/index.js';
import { compareWithActions, wouldAct, type DriftEpisodeSignal } from '../../src/domain/policy/index.js';
import type { FiringAlert } from '../../src/orchestration/index.js';
import { AlertHistory, writeDriftScores, type DriftScoreRecord } from '../../src/store/index.js';
import { MIN, startCluster, startEngine, T0 } from '../orchestration/policy-harness.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { backtestPolicies, pageEvent } from './backtest-fixtures.js';

const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const FROM = T0;
const TO = T0 + 7 * DAY;
const STEP = 20 * MIN;

/** Drifting hours [start, end) of each episode; the last one comes within the retrain cooldown of the one before. */
const EPISODES: Array<[number, number]> = [0, 2, 4].map((d) => [T0 + d * DAY + 5 * HOUR, T0 + d * DAY + 15 * HOUR] as [number, number]).concat([[T0 + 6 * DAY + 2 * HOUR, T0 + 6 * DAY + 8 * HOUR], [T0 + 6 * DAY + 16 * HOUR, T0 + 6 * DAY + 22 * HOUR]]);
/** Pages [from, to) on days 1, 3 and 5. */
const PAGES: Array<[number, number]> = [1, 3, 5].map((d) => [T0 + d * DAY + 12 * HOUR, T0 + d * DAY + 14 * HOUR] as [number, number]);

const drifting = (windowStart: number) => EPISODES.some(([s, e]) => windowStart >= s && windowStart < e);

function scores(feature: string): DriftScoreRecord[] {
  return Array.from({ length: 7 * 24 }, (_, i) => {
    const start = T0 + i * HOUR;
    const d = drifting(start);
    return { ts: start + HOUR, window_start: start, model: 'fraud', version: '', feature, psi: d ? 0.4 : 0.02, threshold: 0.1, n_reference: 5000, n_current: 1000, status: d ? 'drifting' : 'ok', computed_at: start + HOUR };
  });
}


/** What the live drift loop hands the engine at `now`: an episode opens once its third drifting window is whole, and closes after three ok ones. */
function liveDrift(now: number): DriftEpisodeSignal[] {
  return EPISODES.filter(([s, e]) => now >= s + 3 * HOUR && now < e + 3 * HOUR).map(([s]) => ({ kind: 'drift_episode', model: 'fraud', episodeStart: s, openedAt: s + 3 * HOUR, driftShare: 1, peakPsi: 0.4, features: ['amount', 'merchant'] }));
}

const liveAlerts = (now: number): FiringAlert[] => PAGES.filter(([s, e]) => now >= s && now < e).map(([s]) => ({ slo: 'fraud-latency', severity: 'page', firingSince: s, model: 'fraud', data: 'ok' }));

const POLICIES = backtestPolicies('24h');

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore();
  await writeDriftScores(store.store.client, store.ctx.database, [...scores('amount'), ...scores('merchant')]);
  await new AlertHistory(store.store.client, store.ctx.database).record(PAGES.flatMap(([s, e]) => [pageEvent('firing', s), pageEvent('resolved', e)]));
});
afterAll(() => store.close());

describe('issue 8 acceptance 4: a backtest over a simulated week', () => {
  test('reports the actions the live run took, and no others', async () => {
    const cluster = await startCluster();
    try {
      const { engine, inputs, log } = startEngine(cluster, store, POLICIES);
      for (let now = FROM; now <= TO; now += STEP) {
        cluster.clock.ms = now;
        inputs.drift = liveDrift(now);
        inputs.alerts = liveAlerts(now);
        await engine.pass();
      }
      const live = await log.list();
      const acted = live.filter((e) => e.status !== 'denied');
      // 4 retrains on drift (the fifth episode falls in the cooldown), 3 retrains and 3 escalations on the pages.
      expect(acted.map((e) => e.kind).sort()).toEqual([...Array(3).fill('escalate'), ...Array(7).fill('retrain')]);
      expect(live.filter((e) => e.status === 'denied').map((e) => e.denied_by)).toEqual(['cooldown']);
      expect(cluster.kfp.runs()).toHaveLength(7);

      const report = await runBacktest({ store: store.store, database: store.ctx.database, policies: POLICIES, from: FROM, to: TO, stepMs: STEP });
      const comparison = compareWithActions(report, live);
      expect(comparison).toMatchObject({ liveOnly: [], replayOnly: [], agree: true });
      expect(comparison.matched).toHaveLength(10);
      for (const a of acted) expect(wouldAct(report).find((r) => r.id === a.id)?.at, a.id).toBe(a.created_at);
      expect(report.rows.some((r) => r.outcome === 'denied' && r.deniedBy === 'cooldown')).toBe(true);
    } finally {
      await cluster.close();
    }
  }, 120_000);
});
