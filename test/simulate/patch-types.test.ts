import { describe, expect, test } from 'vitest';
import { failure, mergePatch, strategicMergePatch, useEmulator } from './kube-client.js';
import { deployment, inferenceService, INFERENCE_SERVICE, job } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

interface InferenceServiceShape {
  metadata: { resourceVersion: string; generation: number };
  spec: { predictor: { canaryTrafficPercent?: number; model: { storageUri: string } } };
}

async function createInferenceService(canary?: number): Promise<InferenceServiceShape> {
  const body = inferenceService('fraud', canary);
  return (await clients().custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, body })) as InferenceServiceShape;
}

const patchIsvc = (body: unknown, options?: typeof mergePatch) =>
  clients().custom.patchNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud', body }, options) as Promise<InferenceServiceShape>;

describe('JSON patch (application/json-patch+json, the client default)', () => {
  test('A JSON patch with add, replace, copy, move and remove should apply in order', async () => {
    await createInferenceService(20);
    const patched = await patchIsvc([
      { op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 0 },
      { op: 'add', path: '/metadata/annotations', value: { 'mlwarden.io/action': 'a1' } },
      { op: 'copy', from: '/spec/predictor/model/storageUri', path: '/metadata/annotations/previous' },
      { op: 'move', from: '/metadata/annotations/previous', path: '/metadata/annotations/last-good' },
      { op: 'remove', path: '/metadata/annotations/mlwarden.io~1action' },
    ]);
    expect(patched.spec.predictor.canaryTrafficPercent).toBe(0);
    expect(patched).toMatchObject({ metadata: { annotations: { 'last-good': 'gs://models/v2' }, generation: 2 } });
  });

  test('A JSON patch whose test operation fails should be refused with 422 and change nothing', async () => {
    const created = await createInferenceService(20);
    const status = await failure(patchIsvc([{ op: 'test', path: '/spec/predictor/canaryTrafficPercent', value: 50 }, { op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 0 }]));
    expect(status).toMatchObject({ kind: 'Status', code: 422, reason: 'Invalid' });
    const read = (await clients().custom.getNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud' })) as InferenceServiceShape;
    expect(read.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  test('A JSON patch testing a stale resourceVersion should be refused with 422', async () => {
    const created = await createInferenceService(20);
    await patchIsvc([{ op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 10 }]);
    const status = await failure(patchIsvc([{ op: 'test', path: '/metadata/resourceVersion', value: created.metadata.resourceVersion }]));
    expect(status.code).toBe(422);
  });

  test('A JSON patch setting a stale resourceVersion should be refused with 409 Conflict', async () => {
    const created = await createInferenceService(20);
    await patchIsvc([{ op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 10 }]);
    const status = await failure(
      patchIsvc([
        { op: 'replace', path: '/metadata/resourceVersion', value: created.metadata.resourceVersion },
        { op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 0 },
      ]),
    );
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
  });
});

describe('JSON merge patch (application/merge-patch+json via header options)', () => {
  test('A merge patch should merge objects and delete keys set to null', async () => {
    await createInferenceService(20);
    const patched = await patchIsvc({ spec: { predictor: { canaryTrafficPercent: null, model: { storageUri: 'gs://models/v1' } } } }, mergePatch);
    expect(patched.spec.predictor).toEqual({ model: { modelFormat: { name: 'sklearn' }, storageUri: 'gs://models/v1' } });
  });

  test('A merge patch suspending a Job with its current resourceVersion should succeed', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const body = { metadata: { resourceVersion: created.metadata?.resourceVersion }, spec: { suspend: true } };
    const patched = await batch.patchNamespacedJob({ namespace: ns, name: 'train-a', body }, mergePatch);
    expect(patched.spec?.suspend).toBe(true);
  });

  test('A merge patch carrying a stale resourceVersion should be refused with 409 Conflict', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    await batch.patchNamespacedJob({ namespace: ns, name: 'train-a', body: { metadata: { labels: { x: 'y' } } } }, mergePatch);
    const body = { metadata: { resourceVersion: created.metadata?.resourceVersion }, spec: { suspend: true } };
    expect(await failure(batch.patchNamespacedJob({ namespace: ns, name: 'train-a', body }, mergePatch))).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  test('A merge patch of a Deployment containers list should replace the list and drop the sidecar', async () => {
    const { apps } = clients();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const body = { spec: { template: { spec: { containers: [{ name: 'model', image: 'model:v2' }] } } } };
    const patched = await apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body }, mergePatch);
    expect(patched.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['model']);
  });

  test('Patching a missing object should fail with 404 NotFound', async () => {
    expect(await failure(patchIsvc({ spec: {} }, mergePatch))).toMatchObject({ code: 404, reason: 'NotFound' });
  });
});

describe('strategic merge patch (application/strategic-merge-patch+json)', () => {
  test('A strategic merge of a Deployment container should merge by name and keep the sidecar', async () => {
    const { apps } = clients();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const body = { spec: { template: { spec: { containers: [{ name: 'model', image: 'model:v2' }] } } } };
    const patched = await apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body }, strategicMergePatch);
    expect(patched.spec?.template.spec?.containers.map((c) => [c.name, c.image])).toEqual([
      ['model', 'model:v2'],
      ['istio-proxy', 'proxyv2:1.22'],
    ]);
    expect(patched.spec?.template.spec?.containers[0]?.ports).toEqual([{ containerPort: 8080 }]);
    expect(patched.metadata?.generation).toBe(2);
  });

  test('A strategic merge with $patch delete should remove the named container only', async () => {
    const { apps } = clients();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const body = { spec: { template: { spec: { containers: [{ name: 'istio-proxy', $patch: 'delete' }] } } } };
    const patched = await apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body }, strategicMergePatch);
    expect(patched.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['model']);
  });

  test('A strategic merge on a custom resource should be refused with 415 UnsupportedMediaType', async () => {
    await createInferenceService(20);
    const status = await failure(patchIsvc({ spec: { predictor: { canaryTrafficPercent: 0 } } }, strategicMergePatch));
    expect(status).toMatchObject({ kind: 'Status', code: 415, reason: 'UnsupportedMediaType' });
  });
});
