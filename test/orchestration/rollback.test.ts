import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { markers } from '../../src/orchestration/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { eventsIn, MIN, policiesFrom, startCluster, startEngine, type Cluster, type Engine } from './policy-harness.js';

const NS = 'serving';
const ISVC = { group: 'serving.kserve.io', version: 'v1beta1', namespace: NS, plural: 'inferenceservices' } as const;
const policy = (kind: 'kserve' | 'deployment') => policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: rollback-fraud }
spec:
  trigger: { slo_alert: { slo: fraud-latency, severity: page } }
  action: { rollback: { kind: ${kind}, name: fraud, namespace: ${NS}, lookback: 1h } }
  guardrails: { cooldown: 10m, circuit_breaker: { failures: 1, reset_after: 2h } }
`);

const predictor = (version: string) => ({ labels: { [markers.VERSION_LABEL]: version }, model: { modelFormat: { name: 'sklearn' }, storageUri: `gs://models/fraud/${version}` } });

interface Isvc {
  metadata: { annotations?: Record<string, string> };
  spec: { predictor: { canaryTrafficPercent?: number; labels?: Record<string, string>; model?: { storageUri?: string } } };
  status: { components: { predictor: { latestRolledoutRevision: string; latestCreatedRevision: string; traffic: Array<{ revisionName: string; percent: number }> } } };
}

let store: TestStore;
let cluster: Cluster;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
beforeEach(async () => {
  await store.store.client.command({ query: `TRUNCATE TABLE ${store.ctx.database}.actions` });
  cluster = await startCluster();
});
afterEach(() => cluster.close());

const readIsvc = async () => (await cluster.apis.custom.getNamespacedCustomObject({ ...ISVC, name: 'fraud' })) as Isvc;
const setPredictor = async (body: object) => {
  const current = await readIsvc();
  await cluster.apis.custom.replaceNamespacedCustomObject({ ...ISVC, name: 'fraud', body: { ...current, spec: { predictor: body } } });
};
const page = (firingSince: number) => ({ slo: 'fraud-latency', severity: 'page' as const, firingSince, model: 'fraud', data: 'ok' as const });

async function servingV1ThenV2(e: Engine, v2: object): Promise<void> {
  await cluster.apis.custom.createNamespacedCustomObject({ ...ISVC, body: { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'fraud', namespace: NS }, spec: { predictor: predictor('v1') } } });
  await e.engine.pass(); // mlwarden records v1's predictor spec
  cluster.clock.advance(3 * 60 * MIN);
  await setPredictor(v2);
  await e.engine.pass(); // … and sees v2 roll out
  cluster.clock.advance(10 * MIN);
}

describe('rollback when a serving SLO pages after a rollout', () => {
  test('InferenceService canary in progress: canaryTrafficPercent 0 sends all traffic back to v1', async () => {
    const e = startEngine(cluster, store, policy('kserve'));
    await servingV1ThenV2(e, { ...predictor('v2'), canaryTrafficPercent: 10 });
    expect((await readIsvc()).status.components.predictor.traffic.map((t) => t.percent)).toEqual([10, 90]);
    e.inputs.alerts = [page(cluster.clock.now() - 2 * MIN)];
    await e.engine.pass();
    const isvc = await readIsvc();
    expect(isvc.spec.predictor.canaryTrafficPercent).toBe(0);
    const rolledOut = isvc.status.components.predictor.latestRolledoutRevision;
    expect(isvc.status.components.predictor.traffic.filter((t) => t.percent > 0)).toEqual([expect.objectContaining({ revisionName: rolledOut, percent: 100 })]);
    const [action] = await e.log.list();
    expect(action).toMatchObject({ kind: 'rollback', status: 'done', target: 'inferenceservice/serving/fraud' });
    expect(action?.cause).toMatchObject({ version: 'v2', previous_version: 'v1', slo: 'fraud-latency' });
  });

  test('InferenceService without canary: the predictor returns to the v1 spec mlwarden recorded; a second page escalates instead of looping', async () => {
    const e = startEngine(cluster, store, policy('kserve'));
    await servingV1ThenV2(e, predictor('v2'));
    const firstPage = cluster.clock.now() - 2 * MIN;
    e.inputs.alerts = [page(firstPage)];
    await e.engine.pass();
    let isvc = await readIsvc();
    expect(isvc.spec.predictor).toEqual(predictor('v1'));
    expect(isvc.status.components.predictor.latestRolledoutRevision).toBe('fraud-predictor-00003');

    await e.engine.pass(); // the same alert still firing: nothing more
    cluster.clock.advance(20 * MIN);
    e.inputs.alerts = [page(cluster.clock.now() - MIN)]; // it resolved and pages again, on v1
    await e.engine.pass();
    const actions = await e.log.list();
    expect(actions.map((a) => `${a.kind}:${a.status}`).sort()).toEqual(['escalate:done', 'rollback:done']);
    expect(actions.find((a) => a.kind === 'escalate')?.reason).toContain("mlwarden's own rollback");
    isvc = await readIsvc();
    expect(isvc.spec.predictor).toEqual(predictor('v1'));
    expect(isvc.metadata.annotations?.[markers.ESCALATION_ANNOTATION]).toContain('escalating to a person');
    const events = (await eventsIn(cluster, NS)).map((ev) => ev.reason).sort();
    expect(events).toEqual(['MlwardenEscalated', 'MlwardenRollback']);
  });

  test('Deployment: the pod template returns to the previous ReplicaSet (kubectl rollout undo), sidecars kept', async () => {
    const e = startEngine(cluster, store, policy('deployment'));
    const template = (version: string) => ({
      metadata: { labels: { app: 'fraud', [markers.VERSION_LABEL]: version } },
      spec: { containers: [{ name: 'model', image: `registry/fraud:${version}` }, { name: 'envoy', image: 'envoy:1.30' }] },
    });
    const deployment: V1Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fraud', namespace: NS }, spec: { replicas: 3, selector: { matchLabels: { app: 'fraud' } }, template: template('v1') } };
    await cluster.apis.apps.createNamespacedDeployment({ namespace: NS, body: deployment });
    cluster.clock.advance(3 * 60 * MIN);
    const current = await cluster.apis.apps.readNamespacedDeployment({ name: 'fraud', namespace: NS });
    await cluster.apis.apps.replaceNamespacedDeployment({ name: 'fraud', namespace: NS, body: { ...current, spec: { ...current.spec!, template: template('v2') } } });
    cluster.clock.advance(10 * MIN);
    e.inputs.alerts = [page(cluster.clock.now() - 2 * MIN)];
    await e.engine.pass();
    const after = await cluster.apis.apps.readNamespacedDeployment({ name: 'fraud', namespace: NS });
    expect(after.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['registry/fraud:v1', 'envoy:1.30']);
    expect(after.spec?.template.metadata?.labels).toEqual({ app: 'fraud', [markers.VERSION_LABEL]: 'v1' });
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const sets = await cluster.apis.apps.listNamespacedReplicaSet({ namespace: NS });
    expect(sets.items).toHaveLength(2);
    expect((await e.log.list())[0]).toMatchObject({ kind: 'rollback', status: 'done', target: 'deployment/serving/fraud' });
  });

  test('a burn with no recent rollout escalates and changes nothing', async () => {
    const e = startEngine(cluster, store, policy('kserve'));
    await cluster.apis.custom.createNamespacedCustomObject({ ...ISVC, body: { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'fraud', namespace: NS }, spec: { predictor: predictor('v1') } } });
    await e.engine.pass();
    cluster.clock.advance(3 * 60 * MIN);
    e.inputs.alerts = [page(cluster.clock.now() - 2 * MIN)];
    await e.engine.pass();
    const [action] = await e.log.list();
    expect(action).toMatchObject({ kind: 'escalate', status: 'done' });
    expect(action?.reason).toContain('older than the 60m lookback');
    expect((await readIsvc()).spec.predictor).toEqual(predictor('v1'));
  });

  test('no data is not a failure: an alert on too few events never rolls back', async () => {
    const e = startEngine(cluster, store, policy('kserve'));
    await servingV1ThenV2(e, predictor('v2'));
    e.inputs.alerts = [{ ...page(cluster.clock.now() - MIN), data: 'insufficient' }];
    await e.engine.pass();
    expect(await e.log.list()).toEqual([]);
    expect((await readIsvc()).spec.predictor).toEqual(predictor('v2'));
  });

  test('after acting, the burn must recover: a rollback that does not help fails and opens the circuit breaker', async () => {
    const e = startEngine(cluster, store, policy('kserve'), { verifyRecovery: true });
    await servingV1ThenV2(e, predictor('v2'));
    e.inputs.alerts = [page(cluster.clock.now() - 2 * MIN)];
    e.inputs.recovery = { burnRate: 9, alertFiring: true };
    await e.engine.pass();
    expect((await e.log.list())[0]?.status).toBe('running');
    cluster.clock.advance(10 * MIN);
    await e.engine.pass();
    expect((await e.log.list())[0]?.status).toBe('running');
    cluster.clock.advance(25 * MIN);
    await e.engine.pass();
    expect((await e.log.list())[0]).toMatchObject({ status: 'failed', outcome: 'failed' });
    expect((await e.log.list())[0]?.reason).toContain('still burning after the rollback');
    const metrics = await e.registry.getSingleMetricAsString('mlwarden_policy_circuit_breaker_open');
    expect(metrics).toContain('mlwarden_policy_circuit_breaker_open{policy="rollback-fraud"} 1');
  });
});
