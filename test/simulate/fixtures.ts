import { V1MicroTime, type V1Deployment, type V1Job, type V1Lease } from '@kubernetes/client-node';

/** Small builders for the objects the emulator tests create. */
export function job(name: string, labels: Record<string, string> = {}): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      suspend: false,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'train', image: 'trainer:1' }] } },
    },
  };
}

export function deployment(name: string): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'model', image: 'model:v1', ports: [{ containerPort: 8080 }] },
            { name: 'istio-proxy', image: 'proxyv2:1.22' },
          ],
        },
      },
    },
  };
}

export function lease(name: string, holder: string, at: Date): V1Lease {
  const renewTime = new V1MicroTime(at.getTime());
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 0 },
  };
}

export const INFERENCE_SERVICE = { group: 'serving.kserve.io', version: 'v1beta1', plural: 'inferenceservices' } as const;

export function inferenceService(name: string, canaryTrafficPercent?: number): Record<string, unknown> {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, labels: { model: name } },
    spec: {
      predictor: {
        ...(canaryTrafficPercent === undefined ? {} : { canaryTrafficPercent }),
        model: { modelFormat: { name: 'sklearn' }, storageUri: 'gs://models/v2' },
      },
    },
  };
}
