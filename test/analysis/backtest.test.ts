/**
 * The backtest over a real store: signals seeded through the store's own writers, then replayed;
 * and the real PolicyEngine stepped over the same history, to show the replay reports exactly the
 * actions the live engine took.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBacktest } from '../../src/analysis/index.js';
import { compareWithActions, formatBacktest, wouldAct, type DriftEpisodeSignal } from '../../src/domain/policy/index.js';
import { AlertHistory, writeDriftScores, type DriftScoreRecord } from '../../src/store/index.js';
import type { FiringAlert } from '../../src/orchestration/index.js';
import { MIN, startCluster, startEngine, T0 } from '../orchestration/policy-harness.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { backtestPolicies, pageEvent } from './backtest-fixtures.js';

const HOUR = 60 * MIN;
const B = T0; // 2026-11-20T10:00Z, on the hour
const FROM = B;
const TO = B + 12 * HOUR;
const STEP = 20 * MIN;

/** Hourly windows from B: D drifting, o ok. Episode 1: B+1h..B+4h opened, closed at B+7h; episode 2: from B+7h, opened B+10h. */
const PATTERN = 'oDDDoooDDDDo';

function scores(feature: string): DriftScoreRecord[] {
  return [...PATTERN].map((c, i) => ({
    ts: B + (i + 1) * HOUR, window_start: B + i * HOUR, model: 'fraud', version: '', feature,
    psi: c === 'D' ? 0.4 : 0.02, threshold: 0.1, n_reference: 5000, n_current: 1000, status: c === 'D' ? 'drifting' : 'ok', computed_at: B + (i + 1) * HOUR,
  }));
}


const POLICIES = backtestPolicies('7h');

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore();
  await writeDriftScores(store.store.client, store.ctx.database, [...scores('amount'), ...scores('merchant')]);
  await new AlertHistory(store.store.client, store.ctx.database).record([pageEvent('firing', B + 2 * HOUR), pageEvent('resolved', B + 3 * HOUR)]);
});
afterAll(() => store.close());

const backtest = () => runBacktest({ store: store.store, database: store.ctx.database, policies: POLICIES, from: FROM, to: TO, stepMs: STEP });

const counts = () => store.rows<{ n: string }>(`SELECT (SELECT count() FROM ${store.ctx.database}.actions) + (SELECT count() FROM ${store.ctx.database}.drift_scores) + (SELECT count() FROM ${store.ctx.database}.alert_events) AS n`);

describe('a backtest over stored signals', () => {
  test('drift episodes and a page replay into retrains and an escalation, with the cooldown denial reported', async () => {
    const report = await backtest();
    expect(report.rows.filter((r) => r.outcome !== 'skipped').map((r) => [new Date(r.at).toISOString(), r.policy, r.id, r.outcome, r.deniedBy ?? r.status])).toEqual([
      ['2026-11-20T12:00:00.000Z', 'retrain-on-page', `retrain:fraud:fraud-latency:${B + 2 * HOUR}`, 'would-act', 'proposed'],
      ['2026-11-20T12:00:00.000Z', 'rollback-fraud', `rollback:fraud-latency:fraud:${B + 2 * HOUR}`, 'would-act', 'proposed'],
      ['2026-11-20T14:00:00.000Z', 'retrain-on-drift', `retrain:fraud:${B + HOUR}`, 'would-act', 'proposed'],
      ['2026-11-20T20:00:00.000Z', 'retrain-on-drift', `retrain:fraud:${B + 7 * HOUR}`, 'denied', 'cooldown'],
      ['2026-11-20T21:00:00.000Z', 'retrain-on-drift', `retrain:fraud:${B + 7 * HOUR}`, 'would-act', 'proposed'],
    ]);
    expect(report.rows.find((r) => r.policy === 'rollback-fraud')).toMatchObject({ kind: 'escalate', rolloutUnknown: true });
    expect(report.assumptions.join('\n')).toMatch(/GPU contention and idleness are not replayed/);
    expect(formatBacktest(report)).toContain('denied by cooldown');
  });

  test('a backtest is a dry run: it writes no row anywhere', async () => {
    const before = await counts();
    await backtest();
    expect(await counts()).toEqual(before);
  });
});

describe('the backtest against the live engine over the same history', () => {
  /** What the live loops would hand the engine at `now` for the seeded history (written out from the scenario, not reconstructed). */
  function liveDrift(now: number): DriftEpisodeSignal[] {
    const episode = (start: number, openedAt: number): DriftEpisodeSignal => ({ kind: 'drift_episode', model: 'fraud', episodeStart: start, openedAt, driftShare: 1, peakPsi: 0.4, features: ['amount', 'merchant'] });
    if (now >= B + 4 * HOUR && now < B + 7 * HOUR) return [episode(B + HOUR, B + 4 * HOUR)];
    if (now >= B + 10 * HOUR) return [episode(B + 7 * HOUR, B + 10 * HOUR)];
    return [];
  }
  const liveAlerts = (now: number): FiringAlert[] => (now >= B + 2 * HOUR && now < B + 3 * HOUR ? [{ slo: 'fraud-latency', severity: 'page', firingSince: B + 2 * HOUR, model: 'fraud', data: 'ok' }] : []);

  test('the backtest reports the actions the live engine took, and no others', async () => {
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
      expect(live.filter((e) => e.status !== 'denied').length).toBe(4);
      const comparison = compareWithActions(await backtest(), live);
      expect(comparison).toMatchObject({ liveOnly: [], replayOnly: [], agree: true });
      expect(comparison.matched).toHaveLength(4);
      expect(live.find((e) => e.id === `retrain:fraud:${B + 7 * HOUR}`)?.created_at).toBe(B + 11 * HOUR);
      expect(wouldAct(await backtest()).find((r) => r.id === `retrain:fraud:${B + 7 * HOUR}`)?.at).toBe(B + 11 * HOUR);
    } finally {
      await cluster.close();
    }
  });
});
