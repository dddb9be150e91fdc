import { describe, expect, test } from 'vitest';
import { mergePatch, useEmulator, type KubeClients } from './kube-client.js';
import { job } from './fixtures.js';

const clients = useEmulator({ historyLimit: 5 });
const ns = 'ml';
const JOBS = `/apis/batch/v1/namespaces/${ns}/jobs`;

interface Seen {
  type: string;
  name: string | undefined;
  code?: number;
  reason?: string;
  resourceVersion?: string;
}

/** Starts a watch and resolves with the first `count` events (or what came before the stream ended). */
function watchFor(k: KubeClients, path: string, params: Record<string, string>, count: number) {
  const seen: Seen[] = [];
  let started!: Promise<AbortController>;
  const events = new Promise<Seen[]>((resolve, reject) => {
    started = k.watch.watch(
      path,
      params,
      (type, object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string }) => {
        seen.push({ type, name: object.metadata?.name, code: object.code, reason: object.reason, resourceVersion: object.metadata?.resourceVersion });
        if (seen.length === count) resolve(seen);
      },
      (err: unknown) => (err ? reject(err as Error) : resolve(seen)),
    );
  });
  // client-node reports its own abort to `done` as an AbortError: expected once we stop.
  const stop = async () => {
    events.catch(() => undefined);
    (await started).abort();
  };
  return { events, stop };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

const names = (events: Seen[]) => events.map((e) => `${e.type} ${e.name}`);

async function writeSequence(k: KubeClients): Promise<void> {
  await k.batch.createNamespacedJob({ namespace: ns, body: job('a') });
  await k.batch.patchNamespacedJob({ namespace: ns, name: 'a', body: { spec: { suspend: true } } }, mergePatch);
  await k.batch.deleteNamespacedJob({ namespace: ns, name: 'a' });
}

describe('watch', () => {
  test('A watch should deliver ADDED, MODIFIED and DELETED in the order of the writes', async () => {
    const k = clients();
    const w = watchFor(k, JOBS, { resourceVersion: String(k.emulator.store.resourceVersion) }, 3);
    await writeSequence(k); // may land before the watch connects: resuming from the version replays them
    expect(names(await w.events)).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    await w.stop();
  });

  test('A watch without a resourceVersion should start with ADDED for every existing object', async () => {
    const k = clients();
    await k.batch.createNamespacedJob({ namespace: ns, body: job('a') });
    await k.batch.createNamespacedJob({ namespace: ns, body: job('b') });
    const w = watchFor(k, JOBS, {}, 2);
    expect(names(await w.events)).toEqual(['ADDED a', 'ADDED b']);
    await w.stop();
  });

  test('A watch resumed from a resourceVersion should replay only the later writes', async () => {
    const k = clients();
    const created = await k.batch.createNamespacedJob({ namespace: ns, body: job('a') });
    await k.batch.createNamespacedJob({ namespace: ns, body: job('b') });
    await k.batch.deleteNamespacedJob({ namespace: ns, name: 'a' });
    const w = watchFor(k, JOBS, { resourceVersion: created.metadata?.resourceVersion as string }, 2);
    expect(names(await w.events)).toEqual(['ADDED b', 'DELETED a']);
    await w.stop();
  });

  test('A watch from a resourceVersion older than the kept history should get a 410 Expired error event', async () => {
    const k = clients();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await k.batch.createNamespacedJob({ namespace: ns, body: job(name) });
    const w = watchFor(k, JOBS, { resourceVersion: '1' }, 1);
    expect(await w.events).toEqual([{ type: 'ERROR', name: undefined, code: 410, reason: 'Expired', resourceVersion: undefined }]);
  });

  test('A watch from before a compaction of the history should get 410 Expired, one from after should not', async () => {
    const k = clients();
    await k.batch.createNamespacedJob({ namespace: ns, body: job('a') });
    await k.batch.createNamespacedJob({ namespace: ns, body: job('a2') });
    const before = String(k.emulator.store.resourceVersion - 1);
    k.emulator.store.compact();
    expect(await watchFor(k, JOBS, { resourceVersion: before }, 1).events).toMatchObject([{ type: 'ERROR', code: 410 }]);
    const current = watchFor(k, JOBS, { resourceVersion: String(k.emulator.store.resourceVersion) }, 1);
    await k.batch.createNamespacedJob({ namespace: ns, body: job('b') });
    expect(names(await current.events)).toEqual(['ADDED b']);
    await current.stop();
  });

  test('A watch with a label selector should see objects entering the selection as ADDED and leaving it as DELETED', async () => {
    const k = clients();
    const w = watchFor(k, JOBS, { resourceVersion: String(k.emulator.store.resourceVersion), labelSelector: 'tier=gpu' }, 3);
    await k.batch.createNamespacedJob({ namespace: ns, body: job('cpu-job', { tier: 'cpu' }) });
    await k.batch.createNamespacedJob({ namespace: ns, body: job('gpu-job', { tier: 'gpu' }) });
    await k.batch.patchNamespacedJob({ namespace: ns, name: 'cpu-job', body: { metadata: { labels: { tier: 'gpu' } } } }, mergePatch);
    await k.batch.patchNamespacedJob({ namespace: ns, name: 'gpu-job', body: { metadata: { labels: { tier: 'cpu' } } } }, mergePatch);
    expect(names(await w.events)).toEqual(['ADDED gpu-job', 'ADDED cpu-job', 'DELETED gpu-job']);
    await w.stop();
  });

  test('Closing the emulator should end open watches cleanly', async () => {
    const k = clients();
    const w = watchFor(k, JOBS, {}, 99);
    await until(() => k.emulator.openWatchCount() === 1);
    await k.emulator.close();
    expect(await w.events).toEqual([]);
  });

  test('A client aborting its watch should close the stream on the server', async () => {
    const k = clients();
    const w = watchFor(k, JOBS, {}, 99);
    await until(() => k.emulator.openWatchCount() === 1);
    await w.stop();
    await until(() => k.emulator.openWatchCount() === 0);
  });

  test('A watch across all namespaces should see writes in every namespace', async () => {
    const k = clients();
    const w = watchFor(k, '/apis/batch/v1/jobs', { resourceVersion: '0' }, 2);
    await until(() => k.emulator.openWatchCount() === 1);
    await k.batch.createNamespacedJob({ namespace: 'a', body: job('x') });
    await k.batch.createNamespacedJob({ namespace: 'b', body: job('y') });
    expect(names(await w.events)).toEqual(['ADDED x', 'ADDED y']);
    await w.stop();
  });

  test('A watch with timeoutSeconds should end after that time', async () => {
    const k = clients();
    const w = watchFor(k, JOBS, { timeoutSeconds: '1' }, 99);
    expect(await w.events).toEqual([]);
  });
});
