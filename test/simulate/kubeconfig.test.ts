import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { useEmulator } from './kube-client.js';

const clients = useEmulator();

describe('kubeconfig for the emulator', () => {
  test('The options object should point client-node at the loopback URL with skipTLSVerify', () => {
    const { emulator } = clients();
    const kc = new KubeConfig();
    kc.loadFromOptions(emulator.kubeConfig('ml'));
    expect(kc.getCurrentCluster()).toMatchObject({ server: emulator.url, skipTLSVerify: true });
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('ml');
  });

  test('The YAML form loaded with loadFromString should reach the same emulator', async () => {
    const { emulator } = clients();
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubeConfigYaml());
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'ml', body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    expect(emulator.store.resourceVersion).toBe(1);
    expect((await core.readNamespacedConfigMap({ namespace: 'ml', name: 'cfg' })).data).toEqual({ a: '1' });
  });
});
