/**
 * The Helm chart's RBAC is derived from what the control plane really calls: a tour through every
 * actuator and read (retrain by Argo and Job, a replayed retrain, preempt and resume of a Job and a
 * PyTorchJob, KServe and Deployment rollback, escalation, the GPU pool, leader election) and the run
 * collector's watches runs
 * against the emulator, whose access log gives the verbs used. Setup goes straight into the
 * emulator's store, so every logged request is mlwarden's own. The chart must grant exactly those.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Registry } from 'prom-client';
import { CollectorHealth, RunCollector } from '../../collectors/index.js';
import { LeaderElector } from '../../src/orchestration/index.js';
import { findResourceType, type JsonObject } from '../../src/simulate/index.js';
import { sleep, until } from '../support/network-link.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { fraudDrift, MIN, policiesFrom, startCluster, startEngine, type Cluster } from './policy-harness.js';

const CHART = join(import.meta.dirname, '../../charts/mlwarden');

const POLICIES = policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-fraud }
spec:
  trigger: { drift_episode: { model: fraud } }
  action: { retrain: { target: { argo: { workflow_template: retrain-fraud, namespace: ml } } } }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-churn }
spec:
  trigger: { drift_episode: { model: churn } }
  action: { retrain: { target: { job: { template: retrain-churn, namespace: ml } } } }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: make-room }
spec:
  trigger: { gpu_pending: { for: 1m, min_priority: 1000 } }
  action: { preempt: { min_runtime: 1m, grace_period: 1m } }
  guardrails: { blast_radius: 1 }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: reclaim-idle }
spec:
  trigger: { gpu_idle: { below_percent: 5, for: 30m } }
  action: { preempt: { resume: false, min_runtime: 1m, grace_period: 1m } }
  guardrails: { blast_radius: 1 }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: rollback-fraud }
spec:
  trigger: { slo_alert: { slo: fraud-latency } }
  action: { rollback: { kind: kserve, name: fraud, namespace: serving } }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: rollback-ranking }
spec:
  trigger: { slo_alert: { slo: ranking-latency } }
  action: { rollback: { kind: deployment, name: ranking, namespace: serving } }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: rollback-search }
spec:
  trigger: { slo_alert: { slo: search-latency } }
  action: { rollback: { kind: deployment, name: search, namespace: serving } }
`);

type Triple = string;
const triples = (rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>): Triple[] =>
  rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'} ${res} ${v}`)))).sort();

let store: TestStore;
let cluster: Cluster;
beforeAll(async () => {
  store = await openTestStore();
  cluster = await startCluster({ gpus: 4 });
});
afterAll(async () => {
  await cluster.close();
  await store.close();
});

function put(group: string, version: string, plural: string, namespace: string | undefined, body: object): void {
  const type = findResourceType(group, version, plural);
  if (type === undefined) throw new Error(`no ${plural}`);
  cluster.emulator.store.create(type, namespace, body as JsonObject);
}

function replace(group: string, version: string, plural: string, namespace: string, name: string, change: (o: JsonObject) => JsonObject): void {
  const type = findResourceType(group, version, plural);
  if (type === undefined) throw new Error(`no ${plural}`);
  cluster.emulator.store.update(type, namespace, name, change(cluster.emulator.store.get(type, namespace, name)));
}

const gpuContainer = (gpus: number) => ({ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } });
const template = (version: string) => ({ metadata: { labels: { app: 'x', 'app.kubernetes.io/version': version } }, spec: { containers: [{ name: 'model', image: `m:${version}` }] } });

async function tour(): Promise<void> {
  const { clock } = cluster;
  const e = startEngine(cluster, store, POLICIES);
  put('batch', 'v1', 'cronjobs', 'ml', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'retrain-churn' }, spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 't:1' }] } } } } } });
  put('kubeflow.org', 'v1', 'pytorchjobs', 'training', {
    apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'ddp' },
    spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { priorityClassName: 'low', containers: [gpuContainer(2)] } } } } },
  });
  // A TFJob (the emulator's scheduler does not run these): running, its GPUs idle for an hour.
  put('kubeflow.org', 'v1', 'tfjobs', 'research', { apiVersion: 'kubeflow.org/v1', kind: 'TFJob', metadata: { name: 'notebook-tf' }, spec: { tfReplicaSpecs: { Worker: { replicas: 1, template: { spec: { containers: [gpuContainer(1)] } } } } } });
  const tfjobs = findResourceType('kubeflow.org', 'v1', 'tfjobs')!;
  const tf = cluster.emulator.store.get(tfjobs, 'research', 'notebook-tf');
  cluster.emulator.store.update(tfjobs, 'research', 'notebook-tf', { ...tf, status: { startTime: new Date(clock.now()).toISOString(), conditions: [{ type: 'Running', status: 'True', lastTransitionTime: new Date(clock.now()).toISOString() }] } }, { subresource: 'status' });
  put('batch', 'v1', 'jobs', 'training', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'low' }, spec: { template: { spec: { restartPolicy: 'Never', priorityClassName: 'low', containers: [gpuContainer(2)] } } } });
  put('serving.kserve.io', 'v1beta1', 'inferenceservices', 'serving', { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'fraud' }, spec: { predictor: { model: { storageUri: 'gs://m/v1' } } } });
  for (const name of ['ranking', 'search']) put('apps', 'v1', 'deployments', 'serving', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: template('v1') } });
  cluster.scheduler.reconcile();
  clock.advance(3 * 60 * MIN);
  await e.engine.pass(); // records the KServe predictor
  replace('serving.kserve.io', 'v1beta1', 'inferenceservices', 'serving', 'fraud', (o) => ({ ...o, spec: { predictor: { model: { storageUri: 'gs://m/v2' } } } }));
  replace('apps', 'v1', 'deployments', 'serving', 'ranking', (o) => ({ ...o, spec: { ...(o.spec as object), template: template('v2') } }));
  put('batch', 'v1', 'jobs', 'training', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'high', annotations: { 'sim.mlwarden.dev/run-seconds': '60' } }, spec: { parallelism: 2, template: { spec: { restartPolicy: 'Never', priorityClassName: 'high', containers: [gpuContainer(2)] } } } });
  cluster.scheduler.reconcile();
  clock.advance(5 * MIN);

  e.inputs.drift = [fraudDrift(), { ...fraudDrift(), model: 'churn' }];
  e.inputs.utilization.set('research/notebook-tf', Array.from({ length: 60 }, (_, i) => ({ minute: clock.now() - (i + 1) * MIN, utilization: 0.01 })));
  const firing = clock.now() - MIN;
  e.inputs.alerts = ['fraud', 'ranking', 'search'].map((m) => ({ slo: `${m}-latency`, severity: 'page' as const, firingSince: firing, model: m, data: 'ok' as const }));
  await e.engine.pass(); // retrains, rollbacks, escalation, preemption asks for checkpoints
  clock.advance(2 * MIN);
  await e.engine.pass(); // suspends after the grace period
  // A replayed retrain (as after a crash) meets the Workflow it created: 409, then read.
  const argo = (await e.log.list()).find((a) => a.policy === 'retrain-fraud');
  await e.log.save([{ ...argo!, status: 'proposed', outcome: '', finished_at: null, updated_at: argo!.updated_at + 1 }]);
  await e.engine.pass();
  for (let i = 0; i < 4; i++) {
    clock.advance(MIN);
    cluster.scheduler.reconcile();
  }
  await e.engine.pass(); // the high job is done: victims resume
  const kinds = (await e.log.list()).map((a) => `${a.kind}:${a.status}`).sort();
  expect(kinds).toEqual(['escalate:done', 'preempt:done', 'preempt:done', 'resume:done', 'resume:done', 'retrain:done', 'retrain:done', 'rollback:done', 'rollback:done']);

  const elector = new LeaderElector({ kubeConfig: cluster.kubeConfig, namespace: 'mlwarden', leaseName: 'policy-engine', identity: 'tour', leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100, onStartedLeading: () => undefined });
  elector.start();
  await until(() => elector.isLeader(), 3_000, 'leadership');
  await sleep(250); // renews
  await elector.stop(); // releases

  // The run collector runs in the control plane too, under the same service account.
  const runs = new RunCollector({ kubeConfig: cluster.kubeConfig, sink: async () => undefined, health: new CollectorHealth(new Registry()) });
  runs.start();
  await runs.synced();
  await runs.stop();
}

describe('RBAC of the Helm chart', () => {
  test('grants exactly the verbs and resources the orchestration layer and the run collector use', async () => {
    cluster.emulator.accessLog.clear();
    await tour();
    const used = cluster.emulator.accessLog.rbacRules();
    const clusterRules = parse(readFileSync(join(CHART, 'files/rbac/cluster-rules.yaml'), 'utf8')) as Parameters<typeof triples>[0];
    const namespaceRules = parse(readFileSync(join(CHART, 'files/rbac/namespace-rules.yaml'), 'utf8')) as Parameters<typeof triples>[0];
    expect(triples([...clusterRules, ...namespaceRules])).toEqual(triples(used));
    // Leases are only touched in mlwarden's own namespace: a namespaced Role is enough.
    const leaseNamespaces = new Set(cluster.emulator.accessLog.records().filter((r) => r.resource === 'leases').map((r) => r.namespace));
    expect([...leaseNamespaces]).toEqual(['mlwarden']);
    expect(triples(namespaceRules).every((t) => t.startsWith('coordination.k8s.io leases'))).toBe(true);
  }, 20_000);

  test('the chart templates include the rule files and bind them to the service account', () => {
    const rbac = readFileSync(join(CHART, 'templates/rbac.yaml'), 'utf8');
    expect(rbac).toContain('.Files.Get "files/rbac/cluster-rules.yaml"');
    expect(rbac).toContain('.Files.Get "files/rbac/namespace-rules.yaml"');
    expect(rbac).not.toMatch(/verbs:\s*\[?\s*["']?\*/);
  });
});
