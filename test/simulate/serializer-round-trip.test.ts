import { EventsV1Api, V1MicroTime, type CoreV1Event, type EventsV1Event, type V1Pod } from '@kubernetes/client-node';
// Not re-exported from the package index (1.x); the package has no exports map, so the module is reachable.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { describe, expect, test } from 'vitest';
import { useEmulator, type KubeClients } from './kube-client.js';
import { deployment, job, lease } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

const SERVER_SET = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'namespace'];

/** The wire form of a typed object with the fields the server sets removed. */
function wire(object: unknown, type: string): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(ObjectSerializer.serialize(object, type))) as { metadata: Record<string, unknown> };
  for (const key of SERVER_SET) delete json.metadata[key];
  return json;
}

async function raw(k: KubeClients, path: string): Promise<unknown> {
  const response = await fetch(`${k.emulator.url}${path}`);
  return response.json();
}

const pod: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'trainer-0', labels: { app: 'trainer' }, annotations: { 'mlwarden.io/checkpoint': 'step-900' } },
  spec: {
    restartPolicy: 'Never',
    nodeSelector: { 'nvidia.com/gpu.product': 'A100' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    containers: [
      {
        name: 'train',
        image: 'trainer:1',
        args: ['--epochs', '3'],
        env: [{ name: 'RANK', value: '0' }],
        resources: { limits: { 'nvidia.com/gpu': '2', memory: '16Gi' }, requests: { cpu: '4' } },
        ports: [{ containerPort: 29500, name: 'dist', protocol: 'TCP' }],
      },
    ],
  },
};

const event: CoreV1Event = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'train-a.preempted' },
  involvedObject: { apiVersion: 'batch/v1', kind: 'Job', name: 'train-a', namespace: ns },
  reason: 'Preempted',
  message: 'suspended for high-priority job train-b',
  type: 'Normal',
  eventTime: new V1MicroTime(Date.UTC(2026, 10, 24, 12, 0, 0)),
  action: 'Suspend',
  reportingComponent: 'mlwarden',
  reportingInstance: 'mlwarden-0',
};

const eventsV1: EventsV1Event = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'fraud.rollback' },
  eventTime: new V1MicroTime(Date.UTC(2026, 10, 24, 12, 0, 0, 250)),
  regarding: { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', name: 'fraud', namespace: ns },
  reason: 'RolledBack',
  action: 'Rollback',
  note: 'latency SLO paging; back to v1',
  type: 'Warning',
  reportingController: 'mlwarden.io/orchestrator',
  reportingInstance: 'mlwarden-0',
};

describe('objects round-trip through client-node serializers', () => {
  test.each([
    ['A Pod with GPU limits, tolerations and env should read back as sent', (k: KubeClients) => k.core.createNamespacedPod({ namespace: ns, body: pod }), (k: KubeClients) => k.core.readNamespacedPod({ namespace: ns, name: 'trainer-0' }), pod, 'V1Pod'],
    ['A Job should read back as sent', (k: KubeClients) => k.batch.createNamespacedJob({ namespace: ns, body: job('train-a', { team: 'nlp' }) }), (k: KubeClients) => k.batch.readNamespacedJob({ namespace: ns, name: 'train-a' }), job('train-a', { team: 'nlp' }), 'V1Job'],
    ['A Deployment should read back as sent', (k: KubeClients) => k.apps.createNamespacedDeployment({ namespace: ns, body: deployment('fraud') }), (k: KubeClients) => k.apps.readNamespacedDeployment({ namespace: ns, name: 'fraud' }), deployment('fraud'), 'V1Deployment'],
    ['A Lease with MicroTime fields should read back as sent', (k: KubeClients) => k.coordination.createNamespacedLease({ namespace: ns, body: lease('leader', 'a', new Date(Date.UTC(2026, 10, 24))) }), (k: KubeClients) => k.coordination.readNamespacedLease({ namespace: ns, name: 'leader' }), lease('leader', 'a', new Date(Date.UTC(2026, 10, 24))), 'V1Lease'],
    ['An Event with an eventTime should read back as sent', (k: KubeClients) => k.core.createNamespacedEvent({ namespace: ns, body: event }), (k: KubeClients) => k.core.readNamespacedEvent({ namespace: ns, name: 'train-a.preempted' }), event, 'CoreV1Event'],
    ['An events.k8s.io/v1 Event should read back as sent', (k: KubeClients) => k.kubeConfig.makeApiClient(EventsV1Api).createNamespacedEvent({ namespace: ns, body: eventsV1 }), (k: KubeClients) => k.kubeConfig.makeApiClient(EventsV1Api).readNamespacedEvent({ namespace: ns, name: 'fraud.rollback' }), eventsV1, 'EventsV1Event'],
  ] as const)('%s', async (_sentence, create, read, sent, type) => {
    const k = clients();
    await create(k);
    const readBack = await read(k);
    expect(wire(readBack, type)).toEqual(wire(sent, type));
  });

  test('The JSON the emulator serves should equal client-node re-serialising its own deserialised object', async () => {
    const k = clients();
    await k.core.createNamespacedPod({ namespace: ns, body: pod });
    const served = await raw(k, `/api/v1/namespaces/${ns}/pods/trainer-0`);
    const typed = ObjectSerializer.deserialize(served, 'V1Pod') as V1Pod;
    const reserialised = JSON.parse(JSON.stringify(ObjectSerializer.serialize(typed, 'V1Pod'))) as { metadata: { creationTimestamp: string } };
    const servedTime = (served as { metadata: { creationTimestamp: string } }).metadata.creationTimestamp;
    // The server writes metav1.Time at second precision; the client's Date re-serialises with milliseconds.
    expect(servedTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(reserialised.metadata.creationTimestamp)).toBe(Date.parse(servedTime));
    reserialised.metadata.creationTimestamp = servedTime;
    expect(reserialised).toEqual(served);
  });
});
