import type { V1Job } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { markers } from '../../src/orchestration/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { eventsIn, MIN, policiesFrom, startCluster, startEngine, type Cluster, type Engine } from './policy-harness.js';

const NS = 'training';
const PREEMPT = policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: make-room }
spec:
  trigger: { gpu_pending: { for: 10m, min_priority: 1000 } }
  action: { preempt: { grace_period: 5m, min_runtime: 10m, max_preemptions_per_job: 2, preemption_window: 24h } }
  guardrails: { blast_radius: 1, max_concurrent: 1, max_per_hour: 20, cooldown: 1m }
`);

function gpuJob(name: string, options: { priorityClass: string; parallelism?: number; gpus?: number; runSeconds?: number; labels?: Record<string, string> }): V1Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name, namespace: NS, labels: options.labels ?? {},
      annotations: { 'sim.mlwarden.dev/checkpoint-seconds': '30', ...(options.runSeconds ? { 'sim.mlwarden.dev/run-seconds': String(options.runSeconds) } : {}) },
    },
    spec: {
      parallelism: options.parallelism ?? 1,
      template: { spec: { restartPolicy: 'Never', priorityClassName: options.priorityClass, containers: [{ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(options.gpus ?? 2) } } }] } },
    },
  };
}

let store: TestStore;
let cluster: Cluster;
let e: Engine;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());
beforeEach(async () => {
  await store.store.client.command({ query: `TRUNCATE TABLE ${store.ctx.database}.actions` });
  cluster = await startCluster({ gpus: 8 });
  e = startEngine(cluster, store, PREEMPT);
});
afterEach(() => cluster.close());

async function create(job: V1Job): Promise<void> {
  await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: job });
  cluster.scheduler.reconcile();
}

/** Lets time pass for the emulated cluster: the scheduler runs, checkpoints are written, jobs finish. */
function elapse(ms: number): void {
  for (let left = ms; left > 0; left -= 30_000) {
    cluster.clock.advance(Math.min(30_000, left));
    cluster.scheduler.reconcile();
  }
}

const state = (name: string) => cluster.scheduler.workloads().find((w) => w.name === name)?.state;
const utilization = (job: string, value: number) => e.inputs.utilization.set(`${NS}/${job}`, Array.from({ length: 5 }, (_, i) => ({ minute: cluster.clock.now() - (i + 1) * MIN, utilization: value })));

async function fillPoolWithLowPriorityJobs(): Promise<void> {
  for (const name of ['low-a', 'low-b', 'low-c', 'low-d']) await create(gpuJob(name, { priorityClass: 'low' }));
  expect(cluster.scheduler.capacity()).toEqual({ total: 8, used: 8, free: 0 });
  elapse(40 * MIN);
}

describe('GPU preemption for a pending high-priority job', () => {
  test('pool of 8 full of low-priority jobs: the idlest victims checkpoint, are suspended, the high job runs, and victims resume when it ends', async () => {
    await fillPoolWithLowPriorityJobs();
    utilization('low-a', 0.9);
    utilization('low-b', 0.05);
    utilization('low-c', 0.2);
    utilization('low-d', 0.95);
    await create(gpuJob('high', { priorityClass: 'high', parallelism: 2, runSeconds: 1800 }));
    expect(state('high')).toBe('pending');
    elapse(11 * MIN);

    await e.engine.pass(); // decides and asks the victims for a checkpoint
    const [asked] = await e.log.list();
    expect(asked).toMatchObject({ kind: 'preempt', status: 'running', victims: ['job/training/low-b', 'job/training/low-c'] });
    const b = await cluster.apis.batch.readNamespacedJob({ name: 'low-b', namespace: NS });
    expect(b.metadata?.annotations?.[markers.CHECKPOINT_REQUESTED_ANNOTATION]).toContain(asked!.id);
    expect(b.spec?.suspend).not.toBe(true);

    elapse(MIN); // the jobs write their checkpoints (30 s)
    await e.engine.pass();
    const [done] = await e.log.list();
    expect(done?.status).toBe('done');
    expect(done?.reason).toContain('low-b suspended after a checkpoint');
    elapse(30_000);
    expect([state('low-b'), state('low-c'), state('high'), state('low-a'), state('low-d')]).toEqual(['suspended', 'suspended', 'running', 'running', 'running']);
    const events = await eventsIn(cluster, NS);
    expect(events.filter((ev) => ev.reason === 'MlwardenPreempted').map((ev) => ev.name).sort()).toEqual(['low-b', 'low-c']);

    await e.engine.pass(); // no capacity: nothing resumes
    expect(state('low-b')).toBe('suspended');

    elapse(31 * MIN); // the high-priority job completes
    expect(state('high')).toBe('succeeded');
    await e.engine.pass();
    elapse(30_000);
    expect([state('low-b'), state('low-c')]).toEqual(['running', 'running']);
    const resumed = (await e.log.list()).filter((a) => a.kind === 'resume');
    expect(resumed.map((a) => a.target).sort()).toEqual(['job/training/low-b', 'job/training/low-c']);
    const after = await cluster.apis.batch.readNamespacedJob({ name: 'low-b', namespace: NS });
    expect(after.metadata?.annotations?.[markers.SUSPENDED_BY_ANNOTATION]).toBeUndefined();
  });

  test('the grace period bounds the wait for a checkpoint', async () => {
    await fillPoolWithLowPriorityJobs();
    // No checkpoint answer from these jobs.
    for (const name of ['low-a', 'low-b', 'low-c', 'low-d']) {
      await cluster.apis.batch.patchNamespacedJob({ name, namespace: NS, body: [{ op: 'remove', path: '/metadata/annotations/sim.mlwarden.dev~1checkpoint-seconds' }] });
    }
    await cluster.apis.batch.patchNamespacedJob({ name: 'low-a', namespace: NS, body: [{ op: 'add', path: '/metadata/annotations/sim.mlwarden.dev~1checkpoint-seconds', value: '100000' }] });
    await create(gpuJob('high', { priorityClass: 'high', gpus: 2 }));
    elapse(11 * MIN);
    await e.engine.pass();
    elapse(2 * MIN);
    await e.engine.pass();
    expect((await e.log.list())[0]?.status).toBe('running');
    elapse(4 * MIN);
    await e.engine.pass();
    const [done] = await e.log.list();
    expect(done?.status).toBe('done');
    expect(done?.reason).toContain('at the end of the grace period');
  });

  test('a Kueue-managed job is never a victim, and the audit says so', async () => {
    await create(gpuJob('queued', { priorityClass: 'low', gpus: 4, labels: { [markers.KUEUE_QUEUE_LABEL]: 'team-a' } }));
    await create(gpuJob('plain', { priorityClass: 'low', gpus: 4 }));
    elapse(40 * MIN);
    utilization('queued', 0);
    utilization('plain', 0.9);
    await create(gpuJob('high', { priorityClass: 'high', gpus: 4 }));
    elapse(11 * MIN);
    await e.engine.pass();
    const [decision] = await e.log.list();
    expect(decision?.victims).toEqual(['job/training/plain']);
    expect(decision?.reason).toContain('left alone as Kueue-managed: job/training/queued');
    const queued = await cluster.apis.batch.readNamespacedJob({ name: 'queued', namespace: NS });
    expect(queued.metadata?.annotations?.[markers.CHECKPOINT_REQUESTED_ANNOTATION]).toBeUndefined();
  });

  test('oscillating demand does not thrash: no job is preempted more than max_preemptions_per_job times', async () => {
    await fillPoolWithLowPriorityJobs();
    for (let round = 0; round < 5; round++) {
      await create(gpuJob(`burst-${round}`, { priorityClass: 'high', gpus: 2, runSeconds: 600 }));
      elapse(11 * MIN);
      await e.engine.pass();
      elapse(MIN);
      await e.engine.pass();
      elapse(11 * MIN); // the burst job finishes
      await e.engine.pass();
      elapse(MIN);
    }
    const preempts = (await e.log.list()).filter((a) => a.kind === 'preempt' && a.status === 'done');
    const perJob = new Map<string, number>();
    for (const p of preempts) for (const v of p.victims) perJob.set(v, (perJob.get(v) ?? 0) + 1);
    expect(preempts.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...perJob.values())).toBeLessThanOrEqual(2);
  });
});
