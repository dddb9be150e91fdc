import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { GpuScheduler } from '../../src/simulate/gpu-scheduler.js';
import { mergePatch, useEmulator, type KubeClients } from './kube-client.js';

const clients = useEmulator();
const ns = 'ml';
const PRIORITIES = { low: 100, high: 1000 };
const PYTORCH = { group: 'kubeflow.org', version: 'v1', plural: 'pytorchjobs', namespace: ns } as const;

interface JobShape {
  gpus: number;
  parallelism?: number;
  priorityClassName?: string;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  annotations?: Record<string, string>;
}

/** A batch Job asking for `gpus` GPUs per pod. */
function gpuJob(name: string, shape: JobShape): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, annotations: shape.annotations ?? {} },
    spec: {
      parallelism: shape.parallelism ?? 1,
      backoffLimit: shape.backoffLimit,
      activeDeadlineSeconds: shape.activeDeadlineSeconds,
      template: {
        spec: {
          restartPolicy: 'Never',
          priorityClassName: shape.priorityClassName,
          containers: [{ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(shape.gpus) } } }],
        },
      },
    },
  };
}

function pytorchJob(name: string, workers: number, gpus: number): Record<string, unknown> {
  const template = { spec: { containers: [{ name: 'pytorch', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': gpus } } }] } };
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name },
    spec: {
      runPolicy: { suspend: false, schedulingPolicy: { priorityClass: 'low' } },
      pytorchReplicaSpecs: { Master: { replicas: 1, template }, Worker: { replicas: workers, template } },
    },
  };
}

/** A scheduler on a fake clock (seconds since 0) over the emulator's store. */
function schedulerFor(k: KubeClients, gpus = 8, nodes = 2) {
  const clock = { seconds: 0 };
  const scheduler = new GpuScheduler(k.emulator.store, { gpus, nodes, now: () => clock.seconds * 1000, priorityClasses: PRIORITIES });
  const at = (seconds: number) => {
    clock.seconds = seconds;
    scheduler.reconcile();
  };
  return { scheduler, clock, at };
}

const state = (s: GpuScheduler, name: string) => s.workloads().find((w) => w.name === name)?.state;
const podsOf = async (k: KubeClients, selector: string): Promise<V1Pod[]> => (await k.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;
const readJob = (k: KubeClients, name: string) => k.batch.readNamespacedJob({ namespace: ns, name });
const condition = (job: V1Job, type: string) => job.status?.conditions?.find((c) => c.type === type);
const suspend = (k: KubeClients, name: string, value: boolean) =>
  k.batch.patchNamespacedJob({ namespace: ns, name, body: { spec: { suspend: value } } }, mergePatch);

describe('GPU scheduler: placement and suspends', () => {
  test('A high-priority job that does not fit should stay pending with an Unschedulable pod, run once victims are suspended, and victims should resume with their run time kept', async () => {
    const k = clients();
    const { scheduler, at } = schedulerFor(k);
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('low-a', { gpus: 4, priorityClassName: 'low' }) });
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('low-b', { gpus: 4, priorityClassName: 'low' }) });
    at(0);
    const high = gpuJob('high', { gpus: 4, parallelism: 2, priorityClassName: 'high', annotations: { 'sim.mlwarden.dev/run-seconds': '60' } });
    await k.batch.createNamespacedJob({ namespace: ns, body: high });
    at(10);
    expect(scheduler.capacity()).toEqual({ total: 8, used: 8, free: 0 });
    expect(scheduler.workloads().map((w) => [w.name, w.state, w.gpus, w.priority])).toEqual([
      ['low-a', 'running', 4, 100],
      ['low-b', 'running', 4, 100],
      ['high', 'pending', 8, 1000],
    ]);
    const pending = await podsOf(k, 'job-name=high');
    expect(pending).toHaveLength(2);
    expect(pending[0]?.status?.phase).toBe('Pending');
    expect(pending[0]?.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
    expect(pending[0]?.status?.conditions?.[0]?.message).toContain('0/2 nodes are available: 2 Insufficient nvidia.com/gpu.');

    const [running] = await podsOf(k, 'job-name=low-a');
    const lowA = await readJob(k, 'low-a');
    expect(running).toMatchObject({ spec: { nodeName: 'gpu-node-0' }, status: { phase: 'Running' } });
    expect(running?.metadata?.name).toMatch(/^low-a-[a-z]{5}$/);
    expect(running?.metadata?.labels).toMatchObject({ 'job-name': 'low-a', 'batch.kubernetes.io/job-name': 'low-a', 'controller-uid': lowA.metadata?.uid });
    expect(running?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'low-a', uid: lowA.metadata?.uid, controller: true });
    expect(running?.spec?.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/gpu': '4' });
    expect(lowA.status).toMatchObject({ active: 1, startTime: new Date(0) });

    await suspend(k, 'low-a', true);
    await suspend(k, 'low-b', true);
    at(20);
    expect(await podsOf(k, 'job-name=low-a')).toEqual([]);
    const suspended = await readJob(k, 'low-a');
    expect(suspended.status?.active).toBe(0);
    expect(condition(suspended, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended' });
    expect(state(scheduler, 'high')).toBe('running');
    const bound = await podsOf(k, 'job-name=high');
    expect(bound.map((p) => [p.status?.phase, p.spec?.nodeName]).sort()).toEqual([['Running', 'gpu-node-0'], ['Running', 'gpu-node-1']]);
    expect(bound.map((p) => p.metadata?.name).sort()).toEqual(pending.map((p) => p.metadata?.name).sort());

    at(80);
    const done = await readJob(k, 'high');
    expect(done.status).toMatchObject({ succeeded: 2, active: 0, completionTime: new Date(80_000) });
    expect(condition(done, 'Complete')).toMatchObject({ status: 'True', reason: 'CompletionsReached' });
    expect(condition(done, 'SuccessCriteriaMet')?.status).toBe('True');
    expect((await podsOf(k, 'job-name=high')).map((p) => p.status?.phase)).toEqual(['Succeeded', 'Succeeded']);
    expect(scheduler.capacity().free).toBe(8);

    await suspend(k, 'low-a', false);
    await suspend(k, 'low-b', false);
    at(90);
    at(95);
    const lowAfter = scheduler.workloads().find((w) => w.name === 'low-a');
    expect(lowAfter).toMatchObject({ state: 'running', startedAt: 90_000, runSeconds: 25 });
    expect(condition(await readJob(k, 'low-a'), 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
  });

  test('A pending job that does not fit should not block a lower-priority job that does', async () => {
    const k = clients();
    const { scheduler, at } = schedulerFor(k);
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('running', { gpus: 4, priorityClassName: 'low' }) });
    at(0);
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('big', { gpus: 4, parallelism: 2, priorityClassName: 'high' }) });
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('small', { gpus: 2, priorityClassName: 'low' }) });
    at(1);
    expect([state(scheduler, 'big'), state(scheduler, 'small')]).toEqual(['pending', 'running']);
  });

  test('A job without GPUs should be left alone', async () => {
    const k = clients();
    const { scheduler, at } = schedulerFor(k);
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('cpu', { gpus: 0 }) });
    at(0);
    expect(scheduler.workloads()).toEqual([]);
    expect(await podsOf(k, 'job-name=cpu')).toEqual([]);
  });

  test('A PyTorchJob should get training-operator conditions, replica statuses and labelled pods, and honour runPolicy.suspend', async () => {
    const k = clients();
    const { scheduler, at } = schedulerFor(k);
    await k.custom.createNamespacedCustomObject({ ...PYTORCH, body: pytorchJob('ddp', 1, 4) });
    at(0);
    const read = async () => (await k.custom.getNamespacedCustomObject({ ...PYTORCH, name: 'ddp' })) as { status: { conditions: Array<{ type: string; status: string; reason: string }>; replicaStatuses: unknown; startTime: string } };
    const running = await read();
    expect(running.status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Created', 'True', 'PyTorchJobCreated'],
      ['Running', 'True', 'PyTorchJobRunning'],
    ]);
    expect(running.status.replicaStatuses).toEqual({ Master: { active: 1 }, Worker: { active: 1 } });
    const pods = await podsOf(k, 'training.kubeflow.org/job-name=ddp');
    expect(pods.map((p) => [p.metadata?.name, p.metadata?.labels?.['training.kubeflow.org/replica-type'], p.metadata?.labels?.['training.kubeflow.org/replica-index']])).toEqual([
      ['ddp-master-0', 'master', '0'],
      ['ddp-worker-0', 'worker', '0'],
    ]);
    expect(scheduler.workloads()[0]).toMatchObject({ kind: 'PyTorchJob', gpus: 8, priority: 100 });

    await k.custom.patchNamespacedCustomObject({ ...PYTORCH, name: 'ddp', body: { spec: { runPolicy: { suspend: true } } } }, mergePatch);
    at(30);
    const suspended = await read();
    expect(suspended.status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Created', 'True', 'PyTorchJobCreated'],
      ['Running', 'False', 'PyTorchJobSuspended'],
      ['Suspended', 'True', 'PyTorchJobSuspended'],
    ]);
    expect(await podsOf(k, 'training.kubeflow.org/job-name=ddp')).toEqual([]);
    expect(scheduler.capacity().free).toBe(8);

    await k.custom.patchNamespacedCustomObject({ ...PYTORCH, name: 'ddp', body: { spec: { runPolicy: { suspend: false } } } }, mergePatch);
    at(40);
    const resumed = await read();
    expect(resumed.status.conditions.map((c) => [c.type, c.status])).toEqual([['Created', 'True'], ['Running', 'True'], ['Suspended', 'False']]);
    expect(scheduler.workloads()[0]).toMatchObject({ state: 'running', runSeconds: 30 });
  });
});

describe('GPU scheduler: failures, deadlines and checkpoints', () => {
  test('A job that is OOMKilled twice and then succeeds should count 2 failed and 1 succeeded pods, with the reasons on the pods', async () => {
    const k = clients();
    const { scheduler, at } = schedulerFor(k);
    const annotations = { 'sim.mlwarden.dev/run-seconds': '10', 'sim.mlwarden.dev/fail-attempts': '2', 'sim.mlwarden.dev/fail-after-seconds': '1' };
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('flaky', { gpus: 2, annotations }) });
    for (const second of [0, 1, 2, 5, 12]) at(second);
    const job = await readJob(k, 'flaky');
    expect(job.status).toMatchObject({ failed: 2, succeeded: 1, active: 0 });
    expect(condition(job, 'Complete')?.status).toBe('True');
    const pods = await podsOf(k, 'job-name=flaky');
    const outcomes = pods.map((p) => [p.status?.phase, p.status?.containerStatuses?.[0]?.state?.terminated?.reason, p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode]);
    expect(outcomes.sort()).toEqual([['Failed', 'OOMKilled', 137], ['Failed', 'OOMKilled', 137], ['Succeeded', 'Completed', 0]]);
    expect(scheduler.workloads()[0]).toMatchObject({ state: 'succeeded', attempts: 3 });
  });

  test('A job failing more often than its backoffLimit should fail with BackoffLimitExceeded and free its GPUs', async () => {
    const k = clients();
    const { scheduler, at } = schedulerFor(k);
    const annotations = { 'sim.mlwarden.dev/fail-attempts': '9', 'sim.mlwarden.dev/fail-reason': 'Error' };
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('doomed', { gpus: 2, backoffLimit: 1, annotations }) });
    for (const second of [0, 1, 2, 3]) at(second);
    const job = await readJob(k, 'doomed');
    expect(job.status?.failed).toBe(2);
    expect(condition(job, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect((await podsOf(k, 'job-name=doomed')).map((p) => p.status?.containerStatuses?.[0]?.state?.terminated)).toMatchObject([{ reason: 'Error', exitCode: 1 }, { reason: 'Error', exitCode: 1 }]);
    expect(scheduler.capacity().used).toBe(0);
  });

  test('A job running past activeDeadlineSeconds should fail with DeadlineExceeded and lose its pods', async () => {
    const k = clients();
    const { at } = schedulerFor(k);
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('slow', { gpus: 1, activeDeadlineSeconds: 30 }) });
    at(0);
    at(31);
    expect(condition(await readJob(k, 'slow'), 'Failed')).toMatchObject({ status: 'True', reason: 'DeadlineExceeded' });
    expect(await podsOf(k, 'job-name=slow')).toEqual([]);
  });

  test('A checkpoint request should be answered after the checkpoint takes, and periodic checkpoints should follow their cadence', async () => {
    const k = clients();
    const { at } = schedulerFor(k);
    const annotations = { 'sim.mlwarden.dev/checkpoint-seconds': '20', 'sim.mlwarden.dev/checkpoint-every-seconds': '600' };
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('ckpt', { gpus: 1, annotations }) });
    at(0);
    const lastCheckpoint = async () => (await readJob(k, 'ckpt')).metadata?.annotations?.['mlwarden.dev/last-checkpoint'];
    await k.batch.patchNamespacedJob({ namespace: ns, name: 'ckpt', body: { metadata: { annotations: { 'mlwarden.dev/checkpoint-requested': 'r1' } } } }, mergePatch);
    at(100);
    expect(await lastCheckpoint()).toBeUndefined();
    at(119);
    expect(await lastCheckpoint()).toBeUndefined();
    at(120);
    expect(await lastCheckpoint()).toBe('1970-01-01T00:02:00Z');
    at(700);
    expect(await lastCheckpoint()).toBe('1970-01-01T00:02:00Z');
    at(720);
    expect(await lastCheckpoint()).toBe('1970-01-01T00:12:00Z');
  });

  test('A watch on jobs should see the scheduler start, suspend and finish a job', async () => {
    const k = clients();
    const { at } = schedulerFor(k);
    const seen: string[] = [];
    const started = k.watch.watch(`/apis/batch/v1/namespaces/${ns}/jobs`, {}, (type, job: V1Job) => {
      seen.push(`${type} active=${job.status?.active ?? '-'} ${(job.status?.conditions ?? []).map((c) => c.type).join(',')}`);
    }, () => undefined);
    await until(() => k.emulator.openWatchCount() === 1);
    await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('w', { gpus: 1, annotations: { 'sim.mlwarden.dev/run-seconds': '5' } }) });
    at(0);
    await suspend(k, 'w', true);
    at(2);
    await suspend(k, 'w', false);
    at(3);
    at(10);
    await until(() => seen.some((s) => s.includes('Complete')));
    (await started).abort();
    // Spec patches repeat the status they carry: keep only the changes of status.
    expect(seen.filter((s, i) => s !== seen[i - 1])).toEqual([
      'ADDED active=- ',
      'MODIFIED active=1 ',
      'MODIFIED active=0 Suspended',
      'MODIFIED active=1 Suspended',
      'MODIFIED active=0 Suspended,SuccessCriteriaMet,Complete',
    ]);
  });

  test('A started scheduler should react to API writes without explicit reconciles', async () => {
    const k = clients();
    const scheduler = new GpuScheduler(k.emulator.store, { gpus: 4 });
    scheduler.start();
    try {
      await k.batch.createNamespacedJob({ namespace: ns, body: gpuJob('auto', { gpus: 4 }) });
      await until(() => scheduler.workloads()[0]?.state === 'running');
      expect((await podsOf(k, 'job-name=auto'))[0]?.status?.phase).toBe('Running');
    } finally {
      scheduler.stop();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
