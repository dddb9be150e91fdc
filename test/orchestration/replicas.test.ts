import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPolicyRuntime, type PolicyRuntime } from '../../src/orchestration/index.js';
import { findResourceType, startKubeApiEmulator, type KubeApiEmulator } from '../../src/simulate/index.js';
import { ActionLog } from '../../src/store/index.js';
import { link, sleep, until, type Link } from '../support/network-link.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { policiesFrom, TestInputs } from './policy-harness.js';

const LEASE_MS = 1_500;
const policies = policiesFrom(['fraud', 'churn'].map((model) => `
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-${model} }
spec:
  trigger: { drift_episode: { model: ${model} } }
  action: { retrain: { target: { argo: { workflow_template: retrain-${model}, namespace: ml } } } }
`).join('---\n'));

let store: TestStore;
let emulator: KubeApiEmulator;
beforeAll(async () => {
  store = await openTestStore();
  emulator = await startKubeApiEmulator();
});
afterAll(async () => {
  await emulator.close();
  await store.close();
});

interface Replica {
  identity: string;
  runtime: PolicyRuntime;
  link: Link;
}

async function replica(identity: string, inputs: TestInputs): Promise<Replica> {
  const proxy = await link(emulator.url);
  const options = emulator.kubeConfig('mlwarden');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ ...options, clusters: options.clusters.map((c) => ({ ...c, server: proxy.url })) });
  const runtime = startPolicyRuntime({
    kubeConfig, policies, log: new ActionLog(store.store.client, store.ctx.database), identity,
    inputs: { driftEpisodes: inputs.driftEpisodes, firingAlerts: inputs.firingAlerts, budgets: inputs.budgetsNow, gpuUtilization: inputs.gpuUtilization },
    lease: { namespace: 'mlwarden', name: 'policy-engine', durationMs: LEASE_MS, renewDeadlineMs: 1_000, retryPeriodMs: 200 },
    intervalMs: 100, recovery: { settleMs: 0, deadlineMs: 1, maxBurnRate: 1 }, registry: new Registry(),
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), now: Date.now,
  });
  return { identity, runtime, link: proxy };
}

const workflows = () => emulator.store.list(findResourceType('argoproj.io', 'v1alpha1', 'workflows')!, 'ml');
const episode = (model: string) => ({ kind: 'drift_episode' as const, model, episodeStart: Date.now() - 60_000, openedAt: Date.now(), driftShare: 0.6, peakPsi: 0.5, features: ['amount'] });

describe('two replicas', () => {
  test('only the lease holder acts; killing it hands over within the lease duration with no duplicate action', async () => {
    const inputs = new TestInputs();
    const fraud = episode('fraud');
    inputs.drift = [fraud];
    const a = await replica('replica-a', inputs);
    const b = await replica('replica-b', inputs);
    await until(() => workflows().length === 1, 5_000, 'the fraud retraining workflow');
    await sleep(500); // both replicas keep seeing the episode for several passes
    expect(workflows()).toHaveLength(1);
    expect([a, b].filter((r) => r.runtime.isLeader())).toHaveLength(1);
    const [leader, follower] = a.runtime.isLeader() ? [a, b] : [b, a];

    const killedAt = performance.now();
    leader.link.cut(); // the leader dies without releasing the Lease
    inputs.drift = [fraud, episode('churn')];
    await until(() => follower.runtime.isLeader(), LEASE_MS + 1_000, 'the follower to take over');
    expect(performance.now() - killedAt).toBeLessThan(LEASE_MS + 1_000);
    await until(() => workflows().length === 2, 5_000, 'the churn retraining workflow');
    await sleep(500);
    const names = workflows().map((w) => (w.metadata as { name: string }).name);
    expect(names).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('retrain-fraud'))).toHaveLength(1);
    const actions = await new ActionLog(store.store.client, store.ctx.database).list();
    expect(actions.map((x) => `${x.policy}:${x.status}`).sort()).toEqual(['retrain-churn:done', 'retrain-fraud:done']);
    expect(leader.runtime.isLeader()).toBe(false);

    await Promise.all([a.runtime.stop(), b.runtime.stop()]);
    await Promise.all([a.link.close(), b.link.close()]);
  }, 20_000);
});
