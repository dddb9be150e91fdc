import type { V1Job } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { ADMIN_TOKEN, INGEST_TOKEN, testApp } from '../support/test-app.js';
import { fraudDrift, MIN, policiesFrom, startCluster, startEngine, T0, type Cluster } from './policy-harness.js';

const retrain = (guardrails: string, target = '{ kfp: { pipeline_id: fraud-pipeline, pipeline_version_id: fraud-v3, experiment_id: retrain } }') => policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-fraud }
spec:
  trigger: { drift_episode: { model: fraud } }
  action: { retrain: { target: ${target} } }
  guardrails: ${guardrails}
`);
const preempt = (guardrails: string) => policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: make-room }
spec:
  trigger: { gpu_pending: { for: 1m, min_priority: 1000 } }
  action: { preempt: { grace_period: 0s, min_runtime: 1m } }
  guardrails: ${guardrails}
`.replace('grace_period: 0s, ', ''));

const NS = 'training';
function gpuJob(name: string, priorityClass: string, gpus: number): V1Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: NS, annotations: { 'sim.mlwarden.dev/checkpoint-seconds': '0' } },
    spec: { template: { spec: { restartPolicy: 'Never', priorityClassName: priorityClass, containers: [{ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }] } } },
  };
}

let store: TestStore;
let cluster: Cluster;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
beforeEach(async () => {
  await store.store.client.command({ query: `TRUNCATE TABLE ${store.ctx.database}.actions` });
  cluster = await startCluster({ gpus: 4 });
});
afterEach(() => cluster.close());

async function contention(): Promise<void> {
  await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: gpuJob('low-a', 'low', 2) });
  await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: gpuJob('low-b', 'low', 2) });
  cluster.scheduler.reconcile();
  cluster.clock.advance(10 * MIN);
  await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: gpuJob('high', 'high', 2) });
  cluster.scheduler.reconcile();
  cluster.clock.advance(2 * MIN);
}

const writesTo = (resource: string) => cluster.emulator.accessLog.records().filter((r) => r.resource === resource && ['create', 'update', 'patch', 'delete'].includes(r.verb));

describe('guardrails', () => {
  test('dry run: the decision is recorded and announced, nothing is changed', async () => {
    const e = startEngine(cluster, store, preempt('{ dry_run: true }'));
    await contention();
    cluster.emulator.accessLog.clear();
    await e.engine.pass();
    await e.engine.pass();
    const [action] = await e.log.list();
    expect(action).toMatchObject({ kind: 'preempt', status: 'dry-run', victims: ['job/training/low-a'] });
    expect(writesTo('jobs')).toEqual([]);
    expect(writesTo('events')).toHaveLength(1);

    const kfp = startEngine(cluster, store, retrain('{ dry_run: true }'));
    kfp.inputs.drift = [fraudDrift()];
    await kfp.engine.pass();
    expect(cluster.kfp.runs()).toEqual([]);
  });

  test('approval: nothing happens until an admin approves through the API; the ingest token is refused', async () => {
    const e = startEngine(cluster, store, retrain('{ require_approval: true }'));
    e.inputs.drift = [fraudDrift()];
    await e.engine.pass();
    await e.engine.pass();
    const [waiting] = await e.log.list();
    expect(waiting?.status).toBe('awaiting-approval');
    expect(cluster.kfp.runs()).toEqual([]);

    const { app, close } = testApp(store, { tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] }, approver: e.engine, now: cluster.clock.now });
    const url = `/v1/actions/${encodeURIComponent(waiting!.id)}/approve`;
    const asIngest = await app.request(url, { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}` } });
    expect(asIngest.status).toBe(403);
    const anonymous = await app.request(url, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const listed = (await (await app.request('/v1/actions?status=awaiting-approval', { headers: { authorization: `Bearer ${INGEST_TOKEN}` } })).json()) as Array<{ id: string }>;
    expect(listed.map((a) => a.id)).toEqual([waiting!.id]);

    const approved = await app.request(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ by: 'alice', comment: 'checked the drift report' }) });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'proposed', actor: 'alice (checked the drift report)' });
    const again = await app.request(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(again.status).toBe(409);
    await e.engine.pass();
    expect(cluster.kfp.runs()).toHaveLength(1);
    expect((await e.log.get(waiting!.id))?.status).toBe('done');
    await close();
  });

  test('reject: the action is closed and never acts', async () => {
    const e = startEngine(cluster, store, retrain('{ require_approval: true }'));
    e.inputs.drift = [fraudDrift()];
    await e.engine.pass();
    const [waiting] = await e.log.list();
    const { app, close } = testApp(store, { tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] }, approver: e.engine, now: cluster.clock.now });
    const rejected = await app.request(`/v1/actions/${encodeURIComponent(waiting!.id)}/reject`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await rejected.json()).toMatchObject({ status: 'rejected', actor: 'admin' });
    await e.engine.pass();
    expect(cluster.kfp.runs()).toEqual([]);
    const bad = await app.request('/v1/actions?status=bogus', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('unknown status bogus');
    await close();
  });

  test('cooldown: a second episode on the same model within the cooldown is denied, and retried after it', async () => {
    const e = startEngine(cluster, store, retrain('{ cooldown: 1h }'));
    e.inputs.drift = [fraudDrift(T0 - 30 * MIN)];
    await e.engine.pass();
    cluster.clock.advance(20 * MIN);
    e.inputs.drift = [fraudDrift(T0 - 5 * MIN)];
    await e.engine.pass();
    await e.engine.pass(); // the same denial is recorded once
    const denied = (await e.log.list()).filter((a) => a.status === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ denied_by: 'cooldown' });
    cluster.clock.advance(45 * MIN);
    await e.engine.pass();
    expect(cluster.kfp.runs()).toHaveLength(2);
  });

  test('rate limit: at most max_per_hour actions in any hour', async () => {
    const e = startEngine(cluster, store, retrain('{ cooldown: 1m, max_per_hour: 2 }'));
    for (let i = 0; i < 3; i++) {
      e.inputs.drift = [fraudDrift(T0 + i * 5 * MIN)];
      await e.engine.pass();
      cluster.clock.advance(5 * MIN);
    }
    expect(cluster.kfp.runs()).toHaveLength(2);
    expect((await e.log.list()).find((a) => a.status === 'denied')).toMatchObject({ denied_by: 'rate-limit' });
  });

  test('blast radius: never more than the allowed share of a namespace preempted', async () => {
    const e = startEngine(cluster, store, preempt('{ blast_radius: 0.5 }'));
    await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: gpuJob('low-a', 'low', 2) });
    await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: gpuJob('low-b', 'low', 2) });
    cluster.scheduler.reconcile();
    cluster.clock.advance(10 * MIN);
    await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: gpuJob('big', 'high', 4) }); // needs both
    cluster.scheduler.reconcile();
    cluster.clock.advance(2 * MIN);
    await e.engine.pass();
    const [action] = await e.log.list();
    expect(action).toMatchObject({ status: 'denied', denied_by: 'blast-radius' });
    expect(writesTo('jobs').filter((r) => r.verb === 'patch')).toEqual([]);
  });

  test('circuit breaker: after K failed actions the policy stops acting until reset_after', async () => {
    const e = startEngine(cluster, store, retrain('{ cooldown: 1m, max_per_hour: 100, circuit_breaker: { failures: 2, reset_after: 1h } }', '{ job: { template: missing-template, namespace: ml } }'));
    for (let i = 0; i < 3; i++) {
      e.inputs.drift = [fraudDrift(T0 + i * 5 * MIN)];
      await e.engine.pass();
      cluster.clock.advance(5 * MIN);
    }
    const statuses = (await e.log.list()).map((a) => `${a.status}${a.denied_by ? `:${a.denied_by}` : ''}`).sort();
    expect(statuses).toEqual(['denied:circuit-breaker', 'failed', 'failed']);
    expect((await e.log.list()).find((a) => a.status === 'failed')?.reason).toContain('CronJob ml/missing-template does not exist');
    expect(await e.registry.getSingleMetricAsString('mlwarden_policy_circuit_breaker_open')).toContain('{policy="retrain-fraud"} 1');
    // Each pass stamps its end, for the "policy engine stalled" alert.
    expect(await e.registry.getSingleMetricAsString('mlwarden_policy_last_pass_timestamp_seconds')).toContain(`mlwarden_policy_last_pass_timestamp_seconds ${(cluster.clock.now() - 5 * MIN) / 1000}`); // the clock moved on after the last pass
  });

  test('issue 9 point 5: budget freeze: no action while an SLO has less of this month\'s budget left than the policy allows', async () => {
    const e = startEngine(cluster, store, retrain('{ freeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ] }'));
    e.inputs.drift = [fraudDrift()];
    e.inputs.budgets = { 'fraud-latency': 0.04 };
    await e.engine.pass();
    expect((await e.log.list())[0]).toMatchObject({ status: 'denied', denied_by: 'budget-freeze' });
    expect((await e.log.list())[0]?.reason).toContain('4.0% of this period\'s budget left');
    e.inputs.budgets = { 'fraud-latency': 0.5 };
    await e.engine.pass();
    expect(cluster.kfp.runs()).toHaveLength(1);
  });

  test('500s, timeouts and 409s are retried and never duplicate an action', async () => {
    const e = startEngine(cluster, store, preempt('{}'));
    await contention();
    cluster.emulator.faults.add({ method: 'PATCH', path: '/jobs/', status: 500, times: 2 });
    cluster.emulator.faults.add({ method: 'GET', path: '/jobs/low-a', delayMs: 2_500, times: 1 }); // beyond the 2 s per-call timeout
    cluster.emulator.faults.add({ method: 'PATCH', path: '/jobs/', status: 409, times: 1 });
    cluster.emulator.faults.add({ method: 'POST', path: '/events', status: 503, afterWrite: true, times: 1 });
    await e.engine.pass(); // asks for a checkpoint
    cluster.clock.advance(MIN);
    cluster.scheduler.reconcile();
    await e.engine.pass(); // suspends
    const actions = await e.log.list();
    expect(actions.map((a) => `${a.kind}:${a.status}`)).toEqual(['preempt:done']);
    const job = await cluster.apis.batch.readNamespacedJob({ name: 'low-a', namespace: NS });
    expect(job.spec?.suspend).toBe(true);
    const suspendPatches = cluster.emulator.accessLog.records().filter((r) => r.verb === 'patch' && r.name === 'low-a' && r.status === 200);
    // One patch asked for the checkpoint, one suspended: the failed attempts did not add a third.
    expect(suspendPatches).toHaveLength(2);
    const faulted = cluster.emulator.accessLog.records().filter((r) => r.name === 'low-a' && r.verb === 'patch' && r.status !== 200).map((r) => r.status);
    expect(faulted).toEqual([500, 500, 409]);
  }, 20_000);
});
