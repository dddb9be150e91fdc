import { makeInformer, type V1Job } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { mergePatch, useEmulator } from './kube-client.js';
import { job } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('client-node informer (list, then watch from the list resourceVersion)', () => {
  test('An informer should list existing Jobs and then report add, update and delete', async () => {
    const { kubeConfig, batch } = clients();
    await batch.createNamespacedJob({ namespace: ns, body: job('existing') });
    const seen: string[] = [];
    const informer = makeInformer<V1Job>(kubeConfig, `/apis/batch/v1/namespaces/${ns}/jobs`, () => batch.listNamespacedJob({ namespace: ns }));
    informer.on('add', (j) => seen.push(`add ${j.metadata?.name}`));
    informer.on('update', (j) => seen.push(`update ${j.metadata?.name} suspend=${String(j.spec?.suspend)}`));
    informer.on('delete', (j) => seen.push(`delete ${j.metadata?.name}`));
    await informer.start();
    await batch.createNamespacedJob({ namespace: ns, body: job('new') });
    await batch.patchNamespacedJob({ namespace: ns, name: 'new', body: { spec: { suspend: true } } }, mergePatch);
    await batch.deleteNamespacedJob({ namespace: ns, name: 'existing' });
    await until(() => seen.length === 4);
    expect(seen).toEqual(['add existing', 'add new', 'update new suspend=true', 'delete existing']);
    expect(informer.list(ns).map((j) => j.metadata?.name)).toEqual(['new']);
    await informer.stop();
  });
});
