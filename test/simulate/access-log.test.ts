import { describe, expect, test } from 'vitest';
import type { AccessRecord } from '../../src/simulate/access-log.js';
import { deployment, inferenceService, INFERENCE_SERVICE } from './fixtures.js';
import { failure, mergePatch, useEmulator } from './kube-client.js';

const clients = useEmulator();
const ns = 'ml';

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('The access log', () => {
  test('Each request should be recorded with its RBAC verb, group, plural, namespace, name and status', async () => {
    const { apps, custom, core, emulator } = clients();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    await apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' });
    await apps.listNamespacedDeployment({ namespace: ns });
    await apps.replaceNamespacedDeployment({ namespace: ns, name: 'fraud', body: deployment('fraud') });
    await custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, body: inferenceService('fraud', 10) });
    await custom.patchNamespacedCustomObjectStatus({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud', body: { status: { url: 'x' } } }, mergePatch);
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'gone' }).catch(() => undefined);
    await apps.deleteNamespacedDeployment({ namespace: ns, name: 'fraud' });
    expect(emulator.accessLog.records()).toEqual<AccessRecord[]>([
      { verb: 'create', group: 'apps', resource: 'deployments', namespace: ns, status: 201 },
      { verb: 'get', group: 'apps', resource: 'deployments', namespace: ns, name: 'fraud', status: 200 },
      { verb: 'list', group: 'apps', resource: 'deployments', namespace: ns, status: 200 },
      { verb: 'update', group: 'apps', resource: 'deployments', namespace: ns, name: 'fraud', status: 200 },
      { verb: 'create', group: 'serving.kserve.io', resource: 'inferenceservices', namespace: ns, status: 201 },
      { verb: 'patch', group: 'serving.kserve.io', resource: 'inferenceservices', subresource: 'status', namespace: ns, name: 'fraud', status: 200 },
      { verb: 'delete', group: '', resource: 'configmaps', namespace: ns, name: 'gone', status: 404 },
      { verb: 'delete', group: 'apps', resource: 'deployments', namespace: ns, name: 'fraud', status: 200 },
    ]);
  });

  test('A watch should be recorded as watch, and a list across namespaces without a namespace', async () => {
    const { watch, core, emulator } = clients();
    const request = await watch.watch(`/api/v1/namespaces/${ns}/pods`, {}, () => undefined, () => undefined);
    await waitFor(() => emulator.openWatchCount() > 0);
    request.abort();
    await core.listPodForAllNamespaces();
    expect(emulator.accessLog.records().map((r) => [r.verb, r.resource, r.namespace])).toEqual([
      ['watch', 'pods', ns],
      ['list', 'pods', undefined],
    ]);
  });

  test('A request refused by an injected fault should still be recorded, with the fault’s status', async () => {
    const { core, emulator } = clients();
    emulator.faults.add({ method: 'GET', path: '/configmaps', status: 503 });
    expect(await failure(core.listNamespacedConfigMap({ namespace: ns }))).toMatchObject({ code: 503 });
    expect(emulator.accessLog.records()).toEqual([{ verb: 'list', group: '', resource: 'configmaps', namespace: ns, status: 503 }]);
  });

  test('Discovery requests should not be recorded, and clear() should empty the log', async () => {
    const { core, emulator } = clients();
    await fetch(`${emulator.url}/api`);
    await fetch(`${emulator.url}/apis`);
    await fetch(`${emulator.url}/version`);
    await fetch(`${emulator.url}/apis/apps/v1`);
    expect(emulator.accessLog.records()).toEqual([]);
    await core.listNamespacedPod({ namespace: ns });
    emulator.accessLog.clear();
    expect(emulator.accessLog.records()).toEqual([]);
  });

  test('rbacRules() should give one rule per group and resource with sorted verbs, sorted by group then resource', async () => {
    const { apps, core, custom, emulator } = clients();
    await core.listNamespacedPod({ namespace: ns });
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') });
    await apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' });
    await apps.patchNamespacedDeployment({ namespace: ns, name: 'fraud', body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] });
    await custom.createNamespacedCustomObject({ ...INFERENCE_SERVICE, namespace: ns, body: inferenceService('fraud') });
    await custom.patchNamespacedCustomObjectStatus({ ...INFERENCE_SERVICE, namespace: ns, name: 'fraud', body: { status: {} } }, mergePatch);
    await core.readNamespacedPod({ namespace: ns, name: 'missing' }).catch(() => undefined);
    expect(emulator.accessLog.rbacRules()).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'get', 'patch'] },
      { apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], verbs: ['create'] },
      { apiGroups: ['serving.kserve.io'], resources: ['inferenceservices/status'], verbs: ['patch'] },
    ]);
  });

  test('A DELETE of a collection should be recorded as deletecollection, even though the emulator refuses it', async () => {
    const { emulator } = clients();
    const response = await fetch(`${emulator.url}/apis/batch/v1/namespaces/${ns}/jobs`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(emulator.accessLog.rbacRules()).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['deletecollection'] }]);
  });
});
