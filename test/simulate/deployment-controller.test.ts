import { PatchStrategy, setHeaderOptions, type V1PodTemplateSpec, type V1ReplicaSet } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DeploymentController, podTemplateHash, POD_TEMPLATE_HASH, REVISION_ANNOTATION } from '../../src/simulate/deployment-controller.js';
import type { JsonValue } from '../../src/simulate/json.js';
import { deployment } from './fixtures.js';
import { useEmulator } from './kube-client.js';

const clients = useEmulator({ now: () => new Date('2026-03-01T12:00:00Z') });
const ns = 'ml';
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
let controller: DeploymentController;
let errors: unknown[];

beforeEach(() => {
  errors = [];
  controller = new DeploymentController(clients().emulator.store, { now: () => Date.parse('2026-03-01T12:00:00Z'), onError: (e) => errors.push(e) });
  controller.start();
});
afterEach(() => {
  controller.stop();
  expect(errors).toEqual([]);
});

const revision = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata?.annotations?.[REVISION_ANNOTATION];

async function replicaSets(): Promise<V1ReplicaSet[]> {
  return (await clients().apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=fraud' })).items;
}

async function setImage(image: string): Promise<void> {
  const body = [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }];
  await clients().apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body }, jsonPatch);
}

describe('The deployment controller', () => {
  test('A new Deployment should get one ReplicaSet at revision 1, named and labelled by its template hash', async () => {
    const created = await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const [rs, ...others] = await replicaSets();
    expect(others).toEqual([]);
    const hash = rs?.metadata?.labels?.[POD_TEMPLATE_HASH] as string;
    expect(hash).toMatch(/^[a-z0-9]{8,10}$/);
    expect(rs).toMatchObject({
      metadata: { name: `fraud-${hash}`, annotations: { [REVISION_ANNOTATION]: '1' }, ownerReferences: [{ kind: 'Deployment', name: 'fraud', uid: created.metadata?.uid, controller: true }] },
      spec: { replicas: 2, selector: { matchLabels: { app: 'fraud', [POD_TEMPLATE_HASH]: hash } }, template: { metadata: { labels: { app: 'fraud', [POD_TEMPLATE_HASH]: hash } } } },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 },
    });
  });

  test('A new Deployment should report its revision, replicas and the Available and Progressing conditions', async () => {
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const read = await clients().apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' });
    const [rs] = await replicaSets();
    expect(revision(read)).toBe('1');
    expect(read.status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(read.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs?.metadata?.name}" has successfully progressed.`],
    ]);
  });

  test('Changing the image should create a ReplicaSet at revision 2 and scale the old one to 0', async () => {
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    await setImage('model:v2');
    const byRevision = new Map((await replicaSets()).map((rs) => [revision(rs), rs]));
    expect([...byRevision.keys()].sort()).toEqual(['1', '2']);
    expect(byRevision.get('1')?.spec?.replicas).toBe(0);
    expect(byRevision.get('1')?.status?.replicas).toBe(0);
    expect(byRevision.get('2')).toMatchObject({ spec: { replicas: 2, template: { spec: { containers: [{ image: 'model:v2' }, {}] } } } });
    const read = await clients().apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' });
    expect(revision(read)).toBe('2');
    expect(read.status?.observedGeneration).toBe(2);
  });

  test('Patching the template back to the old ReplicaSet’s (rollout undo) should make that ReplicaSet revision 3 and scale it up, creating none', async () => {
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const [first] = await replicaSets();
    await setImage('model:v2');
    const template = structuredClone(first?.spec?.template) as V1PodTemplateSpec;
    delete template.metadata?.labels?.[POD_TEMPLATE_HASH];
    await clients().apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body: [{ op: 'replace', path: '/spec/template', value: template }] }, jsonPatch);
    const all = await replicaSets();
    expect(all).toHaveLength(2);
    const restored = all.find((rs) => rs.metadata?.name === first?.metadata?.name);
    const other = all.find((rs) => rs.metadata?.name !== first?.metadata?.name);
    expect(revision(restored ?? {})).toBe('3');
    expect(restored?.spec?.replicas).toBe(2);
    expect(other?.spec?.replicas).toBe(0);
    const read = await clients().apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' });
    expect(revision(read)).toBe('3');
    expect(read.status?.conditions?.[1]?.message).toBe(`ReplicaSet "${first?.metadata?.name}" has successfully progressed.`);
  });

  test('Scaling the Deployment should scale its current ReplicaSet and keep the revision', async () => {
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    await clients().apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body: [{ op: 'replace', path: '/spec/replicas', value: 5 }] }, jsonPatch);
    const [rs, ...others] = await replicaSets();
    expect(others).toEqual([]);
    expect(rs).toMatchObject({ metadata: { annotations: { [REVISION_ANNOTATION]: '1' } }, spec: { replicas: 5 }, status: { readyReplicas: 5 } });
    expect((await clients().apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' })).status?.availableReplicas).toBe(5);
  });

  test('A reconcile with nothing changed should write nothing', async () => {
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    const before = clients().emulator.store.resourceVersion;
    controller.reconcile();
    expect(clients().emulator.store.resourceVersion).toBe(before);
  });

  test('A stopped controller should leave new Deployments alone, and reconcile them when started again', async () => {
    controller.stop();
    await clients().apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    expect(await replicaSets()).toEqual([]);
    controller.start();
    expect((await replicaSets()).map(revision)).toEqual(['1']);
  });
});

describe('podTemplateHash', () => {
  const hashOf = (template: V1PodTemplateSpec) => podTemplateHash(template as unknown as JsonValue);

  test('The same template with keys in another order should hash the same, and another image differently', () => {
    const template = structuredClone(deployment('fraud').spec?.template) as V1PodTemplateSpec;
    expect(hashOf({ spec: template.spec, metadata: template.metadata } as V1PodTemplateSpec)).toBe(hashOf(template));
    (template.spec?.containers[0] as { image: string }).image = 'model:v2';
    expect(hashOf(template)).not.toBe(hashOf(structuredClone(deployment('fraud').spec?.template) as V1PodTemplateSpec));
  });
});
