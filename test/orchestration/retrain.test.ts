import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { markers, paramEnvName } from '../../src/orchestration/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { eventsIn, fraudDrift, policiesFrom, startCluster, startEngine, type Cluster } from './policy-harness.js';

const guardrails = 'guardrails: { cooldown: 1h }';
const policy = (target: string) => policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-fraud }
spec:
  trigger: { drift_episode: { model: fraud, min_drift_share: 0.3, min_psi: 0.2 } }
  action: { retrain: { target: ${target} } }
  ${guardrails}
`);
const KFP = policy('{ kfp: { pipeline_id: fraud-pipeline, pipeline_version_id: fraud-v3, experiment_id: retrain, parameters: { epochs: "5" } } }');
const ARGO = policy('{ argo: { workflow_template: retrain-fraud, namespace: ml, parameters: { epochs: "5" } } }');
const JOB = policy('{ job: { template: retrain-fraud, namespace: ml, parameters: { epochs: "5" } } }');

let store: TestStore;
let cluster: Cluster;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
beforeEach(async () => {
  await store.store.client.command({ query: `TRUNCATE TABLE ${store.ctx.database}.actions` });
  cluster = await startCluster();
  await cluster.apis.custom.createNamespacedCustomObject({
    group: 'batch', version: 'v1', namespace: 'ml', plural: 'cronjobs',
    body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'retrain-fraud', namespace: 'ml' }, spec: { suspend: true, schedule: '0 0 1 1 *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'train', image: 'trainer:3', env: [{ name: 'MODE', value: 'full' }] }] } } } } } },
  });
});
afterEach(() => cluster.close());

describe('a drift episode starts exactly one retraining run, with the cause as parameters', () => {
  test('Kubeflow Pipelines: one run of the pipeline version, parameters carry model, features, episode window and action id', async () => {
    const { engine, inputs, log } = startEngine(cluster, store, KFP);
    inputs.drift = [fraudDrift()];
    await engine.pass();
    await engine.pass();
    const runs = cluster.kfp.runs();
    expect(runs).toHaveLength(1);
    const params = runs[0]?.runtime_config?.parameters ?? {};
    expect(params).toMatchObject({ epochs: '5', model: 'fraud', version: 'v2', features: 'amount,merchant', episode_start: '2026-11-20T09:30:00.000Z', peak_psi: '0.42', signal: 'drift_episode' });
    expect(params.mlwarden_action_id).toMatch(/^retrain:fraud:/);
    expect(runs[0]?.pipeline_version_reference).toEqual({ pipeline_id: 'fraud-pipeline', pipeline_version_id: 'fraud-v3' });
    const [entry] = await log.list();
    expect(entry).toMatchObject({ status: 'done', outcome: 'succeeded', kind: 'retrain', policy: 'retrain-fraud' });
    expect(entry?.reason).toContain(`kfp run ${runs[0]?.run_id}`);
  });

  test('Argo: a Workflow from the WorkflowTemplate, named after the action, parameters as arguments, an Event on it', async () => {
    const { engine, inputs } = startEngine(cluster, store, ARGO);
    inputs.drift = [fraudDrift()];
    await engine.pass();
    await engine.pass();
    const list = (await cluster.apis.custom.listNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'ml', plural: 'workflows' })) as { items: Array<{ metadata: { name: string; annotations: Record<string, string> }; spec: { workflowTemplateRef: { name: string }; arguments: { parameters: Array<{ name: string; value: string }> } } }> };
    expect(list.items).toHaveLength(1);
    const wf = list.items[0];
    expect(wf?.spec.workflowTemplateRef).toEqual({ name: 'retrain-fraud' });
    expect(wf?.spec.arguments.parameters).toContainEqual({ name: 'features', value: 'amount,merchant' });
    expect(wf?.metadata.annotations[markers.ACTION_ID_ANNOTATION]).toMatch(/^retrain:fraud:/);
    expect((await eventsIn(cluster, 'ml')).map((e) => `${e.kind}/${e.name} ${e.reason}`)).toEqual([`Workflow/${wf?.metadata.name} MlwardenRetrain`]);
  });

  test('Job: created from the CronJob template like kubectl create job --from, cause as PARAM_* env vars', async () => {
    const { engine, inputs } = startEngine(cluster, store, JOB);
    inputs.drift = [fraudDrift()];
    await engine.pass();
    await engine.pass();
    const jobs = await cluster.apis.batch.listNamespacedJob({ namespace: 'ml' });
    expect(jobs.items).toHaveLength(1);
    const env = jobs.items[0]?.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env).toContainEqual({ name: 'MODE', value: 'full' });
    expect(env).toContainEqual({ name: paramEnvName('model'), value: 'fraud' });
    expect(env).toContainEqual({ name: 'PARAM_EPISODE_START', value: '2026-11-20T09:30:00.000Z' });
    expect(jobs.items[0]?.metadata?.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
  });

  test('KFP has no idempotency key: a create whose answer is lost is looked up before any retry, and a restarted process finds it too', async () => {
    const first = startEngine(cluster, store, KFP);
    first.inputs.drift = [fraudDrift()];
    cluster.kfp.faults.add({ method: 'POST', status: 500, afterWrite: true, times: 1 });
    await first.engine.pass();
    expect(cluster.kfp.runs()).toHaveLength(1);
    const [done] = await first.log.list();
    expect(done?.reason).toContain('found already started');
    // The process dies after starting the run but before recording it: the audit still says proposed.
    await first.log.save([{ ...done!, status: 'proposed', outcome: '', finished_at: null, updated_at: done!.updated_at + 1 }]);
    const second = startEngine(cluster, store, KFP, { inputs: first.inputs });
    await second.engine.pass();
    await second.engine.pass();
    expect(cluster.kfp.runs()).toHaveLength(1);
    expect((await second.log.list())[0]).toMatchObject({ status: 'done', outcome: 'succeeded' });
  });

  test('5xx and timeouts from KFP are retried; a run is started once', async () => {
    const { engine, inputs } = startEngine(cluster, store, KFP);
    inputs.drift = [fraudDrift()];
    cluster.kfp.faults.add({ method: 'GET', status: 503, times: 2 });
    cluster.kfp.faults.add({ method: 'POST', status: 502, times: 1 });
    await engine.pass();
    expect(cluster.kfp.runs()).toHaveLength(1);
  });

  test('a crash between recording the decision and acting: the next process acts once', async () => {
    const first = startEngine(cluster, store, ARGO);
    first.inputs.drift = [fraudDrift()];
    const aborted = new AbortController();
    aborted.abort();
    await first.engine.pass(aborted.signal);
    expect((await first.log.list())[0]?.status).toBe('proposed');
    const second = startEngine(cluster, store, ARGO, { inputs: first.inputs });
    await second.engine.pass();
    // And a replay of the same step (as after a crash right after creating the Workflow) finds it.
    await second.log.save([{ ...(await second.log.list())[0]!, status: 'proposed', outcome: '', finished_at: null, updated_at: cluster.clock.now() + 10 }]);
    await second.engine.pass();
    const list = (await cluster.apis.custom.listNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'ml', plural: 'workflows' })) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    expect((await second.log.list())[0]?.reason).toContain('found already started');
  });
});
