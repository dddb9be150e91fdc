import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { failure, mergePatch, useEmulator } from './kube-client.js';

const clients = useEmulator();
const ns = 'ml';

interface Shape {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; generation: number; resourceVersion: string };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const CUSTOM: Array<[sentence: string, group: string, version: string, plural: string, kind: string, spec: Record<string, unknown>, hasStatus: boolean]> = [
  ['A KServe InferenceService', 'serving.kserve.io', 'v1beta1', 'inferenceservices', 'InferenceService', { predictor: { model: { storageUri: 's3://m/v1' } } }, true],
  ['A Kubeflow PyTorchJob', 'kubeflow.org', 'v1', 'pytorchjobs', 'PyTorchJob', { runPolicy: { suspend: false }, pytorchReplicaSpecs: {} }, true],
  ['A Kubeflow TFJob', 'kubeflow.org', 'v1', 'tfjobs', 'TFJob', { runPolicy: { suspend: false }, tfReplicaSpecs: {} }, true],
  ['An Argo Workflow', 'argoproj.io', 'v1alpha1', 'workflows', 'Workflow', { workflowTemplateRef: { name: 'retrain' } }, false],
  ['An Argo WorkflowTemplate', 'argoproj.io', 'v1alpha1', 'workflowtemplates', 'WorkflowTemplate', { entrypoint: 'main', templates: [] }, false],
  ['An Argo Rollout', 'argoproj.io', 'v1alpha1', 'rollouts', 'Rollout', { replicas: 2, template: {} }, true],
  ['A Kueue Workload', 'kueue.x-k8s.io', 'v1beta1', 'workloads', 'Workload', { active: true, queueName: 'team-a' }, true],
];

describe('custom resources through CustomObjectsApi', () => {
  test.each(CUSTOM)('%s should support create, get, list by label, merge patch and delete', async (_s, group, version, plural, kind, spec, hasStatus) => {
    const { custom } = clients();
    const ref = { group, version, plural, namespace: ns };
    const body = { apiVersion: `${group}/${version}`, kind, metadata: { name: 'x1', labels: { 'mlwarden.io/action-id': 'a1' } }, spec };
    await custom.createNamespacedCustomObject({ ...ref, body });
    const read = (await custom.getNamespacedCustomObject({ ...ref, name: 'x1' })) as Shape;
    expect(read).toMatchObject({ apiVersion: `${group}/${version}`, kind, spec, metadata: { generation: 1 } });
    const list = (await custom.listNamespacedCustomObject({ ...ref, labelSelector: 'mlwarden.io/action-id=a1' })) as { kind: string; items: Shape[] };
    expect(list.kind).toBe(`${kind}List`);
    expect(list.items.map((o) => o.metadata.name)).toEqual(['x1']);
    const patched = (await custom.patchNamespacedCustomObject({ ...ref, name: 'x1', body: { spec: { touched: true }, status: { phase: 'Running' } } }, mergePatch)) as Shape;
    expect(patched.spec.touched).toBe(true);
    expect(patched.metadata.generation).toBe(2);
    expect(patched.status).toEqual(hasStatus ? undefined : { phase: 'Running' });
    const deleted = (await custom.deleteNamespacedCustomObject({ ...ref, name: 'x1' })) as Shape;
    expect(deleted.metadata.name).toBe('x1');
    expect(await failure(custom.getNamespacedCustomObject({ ...ref, name: 'x1' }))).toMatchObject({ code: 404 });
  });

  test('An Argo Workflow created twice with a name derived from the action id should get 409 AlreadyExists the second time', async () => {
    const { custom } = clients();
    const ref = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', namespace: ns };
    const body = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'retrain-a1' }, spec: { workflowTemplateRef: { name: 'retrain' } } };
    await custom.createNamespacedCustomObject({ ...ref, body });
    expect(await failure(custom.createNamespacedCustomObject({ ...ref, body }))).toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  test('Aborting an Argo Rollout through its /status subresource should set status.abort and leave the spec', async () => {
    const { custom } = clients();
    const ref = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns, name: 'fraud' };
    await custom.createNamespacedCustomObject({ ...ref, body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'fraud' }, spec: { replicas: 2 } } });
    const aborted = (await custom.patchNamespacedCustomObjectStatus({ ...ref, body: { status: { abort: true }, spec: { replicas: 0 } } }, mergePatch)) as Shape;
    expect(aborted.status).toEqual({ abort: true });
    expect(aborted.spec).toEqual({ replicas: 2 });
    expect(aborted.metadata.generation).toBe(1);
  });

  test('A Kueue Workload should be served at v1beta1 and v1beta2 from one storage', async () => {
    const { custom } = clients();
    const v1beta1 = { group: 'kueue.x-k8s.io', version: 'v1beta1', plural: 'workloads', namespace: ns };
    await custom.createNamespacedCustomObject({ ...v1beta1, body: { apiVersion: 'kueue.x-k8s.io/v1beta1', kind: 'Workload', metadata: { name: 'job-train-a', labels: { 'kueue.x-k8s.io/job-uid': 'u1' } }, spec: { active: true } } });
    const v1beta2 = { ...v1beta1, version: 'v1beta2' };
    const list = (await custom.listNamespacedCustomObject({ ...v1beta2, labelSelector: 'kueue.x-k8s.io/job-uid=u1' })) as { items: Shape[] };
    expect(list.items.map((w) => [w.apiVersion, w.metadata.name])).toEqual([['kueue.x-k8s.io/v1beta2', 'job-train-a']]);
    const deactivated = (await custom.patchNamespacedCustomObject({ ...v1beta2, name: 'job-train-a', body: { spec: { active: false } } }, mergePatch)) as Shape;
    expect(deactivated.spec.active).toBe(false);
  });

  test('An unknown resource should be answered with 404 NotFound as a Status', async () => {
    const { custom } = clients();
    const status = await failure(custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', namespace: ns }));
    expect(status).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
  });
});

describe('built-in kinds and discovery', () => {
  test('ReplicaSets should be listed by the label selector of their Deployment', async () => {
    const { apps } = clients();
    for (const [name, hash] of [['fraud-6d4f', '6d4f'], ['fraud-7c9b', '7c9b'], ['other-1111', '1111']] as const) {
      const app = name.startsWith('fraud') ? 'fraud' : 'other';
      await apps.createNamespacedReplicaSet({
        namespace: ns,
        body: { metadata: { name, labels: { app, 'pod-template-hash': hash } }, spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } } } } },
      });
    }
    const list = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=fraud' });
    expect(list.items.map((rs) => rs.metadata?.name)).toEqual(['fraud-6d4f', 'fraud-7c9b']);
  });

  test('KubernetesObjectApi should find resources through discovery and read them back', async () => {
    const { kubeConfig } = clients();
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    const generic: KubernetesObject & { spec: object } = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'generic', namespace: ns }, spec: { template: { spec: { containers: [] } } } };
    await objects.create(generic);
    const read = await objects.read({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'generic', namespace: ns } });
    expect(read.metadata?.uid).toBeDefined();
    const isvcBody: KubernetesObject & { spec: object } = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'fraud', namespace: ns }, spec: {} };
    const isvc = await objects.create(isvcBody);
    expect(isvc.metadata?.generation).toBe(1);
  });
});
