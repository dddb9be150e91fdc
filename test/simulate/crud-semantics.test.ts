import { describe, expect, test } from 'vitest';
import { failure, useEmulator } from './kube-client.js';
import { inferenceService, INFERENCE_SERVICE, job } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

describe('create, get and list', () => {
  test('Creating a Job should set uid, creationTimestamp, generation 1 and a resourceVersion', async () => {
    const created = await clients().batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.namespace).toBe(ns);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  test('Creating an object whose name is taken should fail with 409 AlreadyExists as a Status', async () => {
    await clients().batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const status = await failure(clients().batch.createNamespacedJob({ namespace: ns, body: job('train-a') }));
    expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409 });
    expect(status.message).toBe('jobs.batch "train-a" already exists');
  });

  test('Getting a missing object should fail with 404 NotFound as a Status', async () => {
    const status = await failure(clients().core.readNamespacedPod({ namespace: ns, name: 'nope' }));
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "nope" not found' });
  });

  test('Listing should return objects of the namespace only, with the list resourceVersion', async () => {
    await clients().batch.createNamespacedJob({ namespace: ns, body: job('a') });
    await clients().batch.createNamespacedJob({ namespace: 'other', body: job('b') });
    const list = await clients().batch.listNamespacedJob({ namespace: ns });
    expect(list.items.map((j) => j.metadata?.name)).toEqual(['a']);
    expect(list.metadata?.resourceVersion).toBe('2');
    const all = await clients().batch.listJobForAllNamespaces();
    expect(all.items.map((j) => j.metadata?.name)).toEqual(['a', 'b']);
  });

  test('Creating a custom resource should work in any namespace without creating the namespace', async () => {
    const created = (await clients().custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: 'serving', body: inferenceService('fraud') })) as {
      metadata: { namespace: string; generation: number };
    };
    expect(created.metadata).toMatchObject({ namespace: 'serving', generation: 1 });
  });
});

describe('resourceVersion preconditions', () => {
  test('Replacing with a stale resourceVersion should fail with 409 Conflict', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    await batch.replaceNamespacedJob({ namespace: ns, name: 'train-a', body: { ...created, metadata: { ...created.metadata, labels: { a: '1' } } } });
    const status = await failure(
      batch.replaceNamespacedJob({ namespace: ns, name: 'train-a', body: { ...created, metadata: { ...created.metadata, labels: { a: '2' } } } }),
    );
    expect(status).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(status.message).toContain('the object has been modified');
  });

  test('Replacing with the current resourceVersion should succeed and bump it', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const updated = await batch.replaceNamespacedJob({ namespace: ns, name: 'train-a', body: { ...created, metadata: { ...created.metadata, labels: { a: '1' } } } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
  });

  test('Replacing with no change should not bump the resourceVersion', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const same = await batch.replaceNamespacedJob({ namespace: ns, name: 'train-a', body: created });
    expect(same.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  test('Deleting with a stale resourceVersion precondition should fail with 409 Conflict', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    await batch.patchNamespacedJob({ namespace: ns, name: 'train-a', body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] });
    const stale = { preconditions: { resourceVersion: created.metadata?.resourceVersion as string } };
    expect(await failure(batch.deleteNamespacedJob({ namespace: ns, name: 'train-a', body: stale }))).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  test('Deleting a Job should answer with a Success Status and remove it', async () => {
    const { batch } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const status = await batch.deleteNamespacedJob({ namespace: ns, name: 'train-a' });
    expect(status).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'train-a', group: 'batch', kind: 'jobs' } });
    expect(await failure(batch.readNamespacedJob({ namespace: ns, name: 'train-a' }))).toMatchObject({ code: 404 });
  });
});

describe('cluster-scoped and kind-specific behaviour', () => {
  test('Namespaces should be cluster-scoped objects that need not exist for namespaced writes', async () => {
    const { core } = clients();
    await core.createNamespacedPod({ namespace: 'never-created', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
    const created = await core.createNamespace({ body: { metadata: { name: 'team-a', labels: { team: 'a' } } } });
    expect(created.metadata?.namespace).toBeUndefined();
    expect((await core.listNamespace({ labelSelector: 'team=a' })).items.map((n) => n.metadata?.name)).toEqual(['team-a']);
  });

  test('Deleting a Pod should answer with the deleted Pod', async () => {
    const { core } = clients();
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
    const deleted = await core.deleteNamespacedPod({ namespace: ns, name: 'p' });
    expect(deleted.metadata?.name).toBe('p');
  });

  test('Creating with generateName should get a generated name', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: { ...job(''), metadata: { generateName: 'retrain-' } } });
    expect(created.metadata?.name).toMatch(/^retrain-[a-z0-9]{5}$/);
  });

  test('Replacing a custom resource without a resourceVersion should be refused with 422 like the real API server', async () => {
    const { custom } = clients();
    await custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, body: inferenceService('fraud') });
    const status = await failure(custom.replaceNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud', body: inferenceService('fraud', 0) }));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  test('Replacing a Job without a resourceVersion should be an unconditional update', async () => {
    const { batch } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const updated = await batch.replaceNamespacedJob({ namespace: ns, name: 'train-a', body: job('train-a', { retried: 'yes' }) });
    expect(updated.metadata?.labels).toEqual({ retried: 'yes' });
  });
});

describe('generation and the status subresource', () => {
  test('Changing the spec should bump metadata.generation, changing labels should not', async () => {
    const { batch } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const relabelled = await batch.patchNamespacedJob({ namespace: ns, name: 'train-a', body: [{ op: 'add', path: '/metadata/labels/team', value: 'nlp' }] });
    expect(relabelled.metadata?.generation).toBe(1);
    const suspended = await batch.patchNamespacedJob({ namespace: ns, name: 'train-a', body: [{ op: 'replace', path: '/spec/suspend', value: true }] });
    expect(suspended.metadata?.generation).toBe(2);
  });

  test('Creating a kind with a status subresource should drop the status sent', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: { ...job('train-a'), status: { active: 1 } } });
    expect(created.status).toBeUndefined();
  });

  test('Writing the main resource should ignore status changes for a kind with a status subresource', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const updated = await batch.replaceNamespacedJob({ namespace: ns, name: 'train-a', body: { ...created, status: { active: 3 } } });
    expect(updated.status).toBeUndefined();
  });

  test('Writing /status should change only the status', async () => {
    const { batch } = clients();
    const created = await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    const updated = await batch.replaceNamespacedJobStatus({
      namespace: ns,
      name: 'train-a',
      body: { ...created, spec: { ...created.spec, suspend: true } as typeof created.spec, status: { active: 2 } },
    });
    expect(updated.status).toEqual({ active: 2 });
    expect(updated.spec?.suspend).toBe(false);
    expect(updated.metadata?.generation).toBe(1);
  });

  test('Patching a custom resource /status should change only the status', async () => {
    const { custom } = clients();
    await custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, body: inferenceService('fraud') });
    const patched = (await custom.patchNamespacedCustomObjectStatus({
      ...INFERENCE_SERVICE,
      namespace: ns,
      name: 'fraud',
      body: [
        { op: 'add', path: '/status', value: { components: { predictor: { latestRolledoutRevision: 'fraud-predictor-00001' } } } },
        { op: 'add', path: '/metadata/labels/ignored', value: 'yes' },
      ],
    })) as { status: unknown; metadata: { labels: Record<string, string> } };
    expect(patched.status).toEqual({ components: { predictor: { latestRolledoutRevision: 'fraud-predictor-00001' } } });
    expect(patched.metadata.labels).toEqual({ model: 'fraud' });
  });
});
