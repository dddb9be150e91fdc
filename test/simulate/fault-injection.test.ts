import { describe, expect, test } from 'vitest';
import { failure, useEmulator } from './kube-client.js';
import { job } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

describe('injected faults', () => {
  test('A 500 injected once should fail one request with an InternalError Status, and the retry should succeed', async () => {
    const { batch, emulator } = clients();
    emulator.faults.add({ method: 'POST', path: '/jobs', status: 500 });
    expect(await failure(batch.createNamespacedJob({ namespace: ns, body: job('a') }))).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(emulator.store.resourceVersion).toBe(0);
    expect((await batch.createNamespacedJob({ namespace: ns, body: job('a') })).metadata?.name).toBe('a');
  });

  test('A fault after the write should lose the response but keep the object, so a blind retry gets 409 AlreadyExists', async () => {
    const { batch, emulator } = clients();
    emulator.faults.add({ method: 'POST', status: 503, afterWrite: true });
    expect(await failure(batch.createNamespacedJob({ namespace: ns, body: job('a') }))).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(await failure(batch.createNamespacedJob({ namespace: ns, body: job('a') }))).toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  test('A fault with times should hit that many matching requests and leave others alone', async () => {
    const { batch, emulator } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('a') });
    emulator.faults.add({ method: 'PATCH', status: 429, times: 2 });
    const patch = () => batch.patchNamespacedJob({ namespace: ns, name: 'a', body: [{ op: 'replace', path: '/spec/suspend', value: true }] });
    expect(await failure(batch.readNamespacedJob({ namespace: ns, name: 'a' }).then(() => patch()))).toMatchObject({ code: 429, reason: 'TooManyRequests' });
    expect(await failure(patch())).toMatchObject({ code: 429 });
    expect((await patch()).spec?.suspend).toBe(true);
  });

  test('A delay should hold the answer back without failing it', async () => {
    const { batch, emulator } = clients();
    emulator.faults.add({ path: /\/jobs$/, delayMs: 150 });
    const started = Date.now();
    await batch.listNamespacedJob({ namespace: ns });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
