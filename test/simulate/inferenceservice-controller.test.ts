import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InferenceServiceController } from '../../src/simulate/inferenceservice-controller.js';
import { INFERENCE_SERVICE } from './fixtures.js';
import { mergePatch, useEmulator } from './kube-client.js';

const clients = useEmulator();
const ns = 'ml';
const ref = { ...INFERENCE_SERVICE, namespace: ns, name: 'fraud' };
let controller: InferenceServiceController;
let errors: unknown[];

beforeEach(() => {
  errors = [];
  controller = new InferenceServiceController(clients().emulator.store, { now: () => Date.parse('2026-03-01T12:00:00Z'), domain: 'models.example.org', onError: (e) => errors.push(e) });
  controller.start();
});
afterEach(() => {
  controller.stop();
  expect(errors).toEqual([]);
});

interface Traffic {
  revisionName: string;
  percent: number;
  latestRevision: boolean;
  tag?: string;
}

interface PredictorStatus {
  latestCreatedRevision: string;
  latestReadyRevision: string;
  latestRolledoutRevision: string;
  previousRolledoutRevision?: string;
  traffic: Traffic[];
  url: string;
}

interface InferenceServiceShape {
  metadata: { generation: number };
  spec: { predictor: Record<string, unknown> };
  status: { observedGeneration: number; url: string; address: { url: string }; components: { predictor: PredictorStatus }; conditions: Array<{ type: string; status: string }> };
}

const predictor = (storageUri: string, canaryTrafficPercent?: number) => ({
  ...(canaryTrafficPercent === undefined ? {} : { canaryTrafficPercent }),
  model: { modelFormat: { name: 'sklearn' }, storageUri },
});

async function create(storageUri: string): Promise<void> {
  const body = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'fraud' }, spec: { predictor: predictor(storageUri) } };
  await clients().custom.createNamespacedCustomObject({ ...ref, body });
}

/** Replaces spec.predictor whole (a merge patch would keep a canaryTrafficPercent left out). */
async function setPredictor(value: Record<string, unknown>): Promise<void> {
  await clients().custom.patchNamespacedCustomObject({ ...ref, body: [{ op: 'replace', path: '/spec/predictor', value }] });
}

async function setCanaryPercent(canaryTrafficPercent: number | null): Promise<void> {
  await clients().custom.patchNamespacedCustomObject({ ...ref, body: { spec: { predictor: { canaryTrafficPercent } } } }, mergePatch);
}

async function read(): Promise<InferenceServiceShape> {
  return (await clients().custom.getNamespacedCustomObject(ref)) as InferenceServiceShape;
}

const split = (s: InferenceServiceShape) => s.status.components.predictor.traffic.map((t) => [t.revisionName, t.percent, t.latestRevision, t.tag]);

describe('The InferenceService controller', () => {
  test('A new InferenceService should roll out revision 00001 with all traffic, Ready, at its URLs', async () => {
    await create('gs://models/v1');
    const isvc = await read();
    expect(isvc.status).toMatchObject({
      observedGeneration: 1,
      url: 'http://fraud.ml.models.example.org',
      address: { url: 'http://fraud.ml.svc.cluster.local' },
      components: {
        predictor: {
          latestCreatedRevision: 'fraud-predictor-00001',
          latestReadyRevision: 'fraud-predictor-00001',
          latestRolledoutRevision: 'fraud-predictor-00001',
          url: 'http://fraud-predictor.ml.models.example.org',
        },
      },
    });
    expect(isvc.status.components.predictor.previousRolledoutRevision).toBeUndefined();
    expect(split(isvc)).toEqual([['fraud-predictor-00001', 100, true, undefined]]);
    expect(isvc.status.conditions.map((c) => [c.type, c.status])).toEqual([['IngressReady', 'True'], ['PredictorReady', 'True'], ['Ready', 'True']]);
  });

  test('A canary of v2 at 10% should send 10% to the new revision tagged latest and 90% to v1 tagged prev', async () => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2', 10));
    const isvc = await read();
    expect(isvc.status.components.predictor).toMatchObject({ latestCreatedRevision: 'fraud-predictor-00002', latestRolledoutRevision: 'fraud-predictor-00001' });
    expect(split(isvc)).toEqual([
      ['fraud-predictor-00002', 10, true, 'latest'],
      ['fraud-predictor-00001', 90, false, 'prev'],
    ]);
    expect(isvc.status.observedGeneration).toBe(2);
  });

  test('Changing only canaryTrafficPercent should re-split the same two revisions', async () => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2', 10));
    await setCanaryPercent(50);
    const isvc = await read();
    expect(isvc.status.components.predictor.latestCreatedRevision).toBe('fraud-predictor-00002');
    expect(split(isvc)).toEqual([
      ['fraud-predictor-00002', 50, true, 'latest'],
      ['fraud-predictor-00001', 50, false, 'prev'],
    ]);
  });

  test('Setting canaryTrafficPercent to 0 should send all traffic back to the rolled-out v1 (the documented rollback)', async () => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2', 10));
    await setCanaryPercent(0);
    const isvc = await read();
    expect(isvc.status.components.predictor.latestRolledoutRevision).toBe('fraud-predictor-00001');
    expect(split(isvc)).toEqual([
      ['fraud-predictor-00002', 0, true, 'latest'],
      ['fraud-predictor-00001', 100, false, 'prev'],
    ]);
  });

  test.each([
    ['removing canaryTrafficPercent', null],
    ['setting canaryTrafficPercent to 100', 100],
  ])('Promoting a canary by %s should roll it out with previousRolledoutRevision v1', async (_sentence, percent) => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2', 10));
    await setCanaryPercent(percent);
    const isvc = await read();
    expect(isvc.status.components.predictor).toMatchObject({ latestRolledoutRevision: 'fraud-predictor-00002', previousRolledoutRevision: 'fraud-predictor-00001' });
    expect(split(isvc)).toEqual([['fraud-predictor-00002', 100, true, undefined]]);
  });

  test('A v2 without canaryTrafficPercent should be promoted at once, then restoring v1’s recorded spec should roll out a new revision 00003', async () => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2'));
    const promoted = await read();
    expect(promoted.status.components.predictor).toMatchObject({ latestRolledoutRevision: 'fraud-predictor-00002', previousRolledoutRevision: 'fraud-predictor-00001' });
    const v1 = controller.revisionSpec(ns, 'fraud', 'fraud-predictor-00001');
    expect(v1).toEqual(predictor('gs://models/v1'));
    await setPredictor(v1 ?? {});
    const restored = await read();
    expect(restored.status.components.predictor).toMatchObject({ latestCreatedRevision: 'fraud-predictor-00003', latestRolledoutRevision: 'fraud-predictor-00003', previousRolledoutRevision: 'fraud-predictor-00002' });
    expect(controller.revisionSpec(ns, 'fraud', 'fraud-predictor-00003')).toEqual(v1);
  });

  test('revisionSpec should leave out canaryTrafficPercent and be undefined for an unknown revision', async () => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2', 10));
    expect(controller.revisionSpec(ns, 'fraud', 'fraud-predictor-00002')).toEqual(predictor('gs://models/v2'));
    expect(controller.revisionSpec(ns, 'fraud', 'fraud-predictor-00009')).toBeUndefined();
    expect(controller.revisionSpec(ns, 'other', 'other-predictor-00001')).toBeUndefined();
  });

  test('A label-only change should create no revision and a reconcile with nothing changed should write nothing', async () => {
    await create('gs://models/v1');
    await clients().custom.patchNamespacedCustomObject({ ...ref, body: { metadata: { labels: { team: 'risk' } } } }, mergePatch);
    expect((await read()).status.components.predictor.latestCreatedRevision).toBe('fraud-predictor-00001');
    const before = clients().emulator.store.resourceVersion;
    controller.reconcile();
    expect(clients().emulator.store.resourceVersion).toBe(before);
  });

  test('A deleted and re-created InferenceService should start again at revision 00001', async () => {
    await create('gs://models/v1');
    await setPredictor(predictor('gs://models/v2'));
    await clients().custom.deleteNamespacedCustomObject(ref);
    await create('gs://models/v3');
    expect((await read()).status.components.predictor.latestCreatedRevision).toBe('fraud-predictor-00001');
  });
});
