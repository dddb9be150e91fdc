import { describe, expect, test } from 'vitest';
import { failure, mergePatch, useEmulator } from './kube-client.js';
import { inferenceService, INFERENCE_SERVICE, job } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

describe('?dryRun=All', () => {
  test('A dry-run create should return the object and store nothing', async () => {
    const { batch, emulator } = clients();
    const returned = await batch.createNamespacedJob({ namespace: ns, body: job('train-a'), dryRun: 'All' });
    expect(returned.metadata).toMatchObject({ name: 'train-a', namespace: ns, generation: 1 });
    expect(emulator.store.resourceVersion).toBe(0);
    expect(await failure(batch.readNamespacedJob({ namespace: ns, name: 'train-a' }))).toMatchObject({ code: 404 });
  });

  test('A dry-run create of a taken name should still fail with 409 AlreadyExists', async () => {
    const { batch } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    expect(await failure(batch.createNamespacedJob({ namespace: ns, body: job('train-a'), dryRun: 'All' }))).toMatchObject({ code: 409 });
  });

  test('A dry-run patch should return the patched object and store nothing', async () => {
    const { custom, emulator } = clients();
    await custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, body: inferenceService('fraud', 20) });
    const before = emulator.store.resourceVersion;
    const body = { spec: { predictor: { canaryTrafficPercent: 0 } } };
    const returned = (await custom.patchNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud', body, dryRun: 'All' }, mergePatch)) as {
      spec: { predictor: { canaryTrafficPercent: number } };
    };
    expect(returned.spec.predictor.canaryTrafficPercent).toBe(0);
    expect(emulator.store.resourceVersion).toBe(before);
    const read = (await custom.getNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud' })) as typeof returned;
    expect(read.spec.predictor.canaryTrafficPercent).toBe(20);
  });

  test('A dry-run delete should keep the object', async () => {
    const { batch } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('train-a') });
    await batch.deleteNamespacedJob({ namespace: ns, name: 'train-a', dryRun: 'All' });
    expect((await batch.readNamespacedJob({ namespace: ns, name: 'train-a' })).metadata?.name).toBe('train-a');
  });

  test('A dry-run with an invalid object should fail validation like a real write', async () => {
    const { batch } = clients();
    expect(await failure(batch.createNamespacedJob({ namespace: ns, body: job('Not_A_Name'), dryRun: 'All' }))).toMatchObject({ code: 422, reason: 'Invalid' });
  });
});
