/**
 * GPU contention in the backtest: job states seeded as `runs` rows and GPU samples through the real
 * ingest path, replayed with a pool capacity; and the live engine run over an emulated cluster whose
 * run rows the real RunCollector wrote, compared with what the replay reports.
 */
import type { V1Job } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CollectorHealth } from '../../collectors/collector-health.js';
import { RunCollector } from '../../collectors/runs/index.js';
import { runBacktest } from '../../src/analysis/index.js';
import { compareWithActions, wouldAct } from '../../src/domain/policy/index.js';
import { MIN, policiesFrom, startCluster, startEngine, T0 } from '../orchestration/policy-harness.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const NS = 'training';
const B = T0; // 2026-11-20T10:00Z

const PREEMPT = policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: make-room }
spec:
  trigger: { gpu_pending: { for: 10m, min_priority: 1000 } }
  action: { preempt: { grace_period: 5m, min_runtime: 10m, max_preemptions_per_job: 2, preemption_window: 24h } }
  guardrails: { blast_radius: 1, max_concurrent: 1, max_per_hour: 20, cooldown: 1h }
`);

interface Job {
  uid: string;
  name: string;
  priority: number;
  gpus: number;
  created: number;
}

/** A `runs` row as the run collector's Job mapper writes it (ts: when the state began). */
function runRow(job: Job, state: string, times: { started?: number; finished?: number } = {}) {
  const started = times.started ?? null;
  const finished = times.finished ?? null;
  return {
    ts: finished ?? started ?? job.created, run_id: job.uid, kind: 'training', namespace: NS, state, attempt: 1, priority: job.priority, gpus: job.gpus,
    created_at: job.created, started_at: started, finished_at: finished, labels: { name: job.name, source: 'Job' },
  };
}

function samples(job: string, util: number, from: number, to: number) {
  const out = [];
  for (let t = from; t < to; t += MIN) out.push({ ts: t + 10_000, node: 'gpu-node-1', gpu_uuid: `GPU-${job}`, namespace: NS, job, util_pct: util * 100 });
  return out;
}

let store: TestStore;
let h: TestApp;
beforeAll(async () => {
  store = await openTestStore();
  h = testApp(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

async function ingest(kind: 'runs' | 'gpu', rows: unknown[]): Promise<void> {
  const response = await post(h.app, kind, rows);
  expect(response.status, await response.clone().text()).toBe(200);
}

describe('GPU contention replayed from stored run state changes', () => {
  const UTIL: Record<string, number> = { 'low-a': 0.9, 'low-b': 0.05, 'low-c': 0.2, 'low-d': 0.95 };
  const lows: Job[] = Object.keys(UTIL).map((name, i) => ({ uid: `uid-${name}`, name, priority: 100, gpus: 2, created: B - 60 * MIN + i * 1000 }));
  const high1: Job = { uid: 'uid-high-1', name: 'train-high', priority: 1000, gpus: 4, created: B + 5 * MIN };
  // Cancelled after 15 minutes pending, resubmitted under the same name wanting more GPUs.
  const high2: Job = { uid: 'uid-high-2', name: 'train-high', priority: 1000, gpus: 6, created: B + 25 * MIN };

  beforeAll(async () => {
    await ingest('runs', [
      ...lows.flatMap((j) => [runRow(j, 'pending'), runRow(j, 'running', { started: j.created + MIN })]),
      runRow(high1, 'pending'), runRow(high1, 'failed', { finished: B + 20 * MIN }),
      runRow(high2, 'pending'),
    ]);
    await ingest('gpu', Object.entries(UTIL).flatMap(([job, u]) => samples(job, u, B - 55 * MIN, B + 60 * MIN)));
  });

  const backtest = (gpuCapacity?: number) =>
    runBacktest({ store: store.store, database: store.ctx.database, policies: PREEMPT, from: B, to: B + 60 * MIN, ...(gpuCapacity !== undefined ? { gpuCapacity } : {}) });

  test('one preemption would act once the high job has waited 10 minutes, idlest victims first; the resubmitted job is denied by the cooldown', async () => {
    const report = await backtest(8);
    const rows = report.rows.filter((r) => r.outcome !== 'skipped');
    expect(rows.map((r) => [new Date(r.at).toISOString(), r.id, r.outcome, r.deniedBy ?? r.status])).toEqual([
      ['2026-11-20T10:15:00.000Z', `preempt:${NS}/train-high:${high1.created}`, 'would-act', 'proposed'],
      ['2026-11-20T10:35:00.000Z', `preempt:${NS}/train-high:${high2.created}`, 'denied', 'cooldown'],
    ]);
    expect(wouldAct(report)).toHaveLength(1);
    expect(report.rows.filter((r) => r.outcome === 'skipped')).toEqual([]);
    expect(rows[0]?.reason).toContain(`preempt ${NS}/low-b, ${NS}/low-c`);
    expect(rows[0]?.cause).toMatchObject({ signal: 'gpu_contention', pending_job: `job/${NS}/train-high`, gpus: 4, free_gpus: 0 });
    // The replayed preemption freed low-b and low-c (4 GPUs); the 6-GPU resubmission still needed 2 more.
    expect(rows[1]?.cause).toMatchObject({ gpus: 6, free_gpus: 4 });
    expect(report.assumptions.some((a) => a.includes('resumes are not replayed'))).toBe(true);
    expect(report.assumptions.some((a) => a.startsWith('GPU contention and idleness are not replayed'))).toBe(false);
  });

  test('without a capacity, GPU signals are not replayed and the report says so', async () => {
    const report = await backtest();
    expect(report.rows).toEqual([]);
    expect(report.assumptions.some((a) => a.startsWith('GPU contention and idleness are not replayed'))).toBe(true);
  });

  test('a smaller pool changes the answer: with 12 GPUs the first job fits without preempting anyone', async () => {
    const report = await backtest(12);
    const rows = report.rows.filter((r) => r.outcome !== 'skipped');
    // 12 - 8 used = 4 free: train-high fits; the 6-GPU resubmission needs 2 more and preempts the idlest job alone.
    expect(rows.map((r) => [new Date(r.at).toISOString(), r.id, r.outcome])).toEqual([
      ['2026-11-20T10:35:00.000Z', `preempt:${NS}/train-high:${high2.created}`, 'would-act'],
    ]);
    expect(rows[0]?.reason).toContain(`preempt ${NS}/low-b`);
    expect(rows[0]?.reason).not.toContain('low-c');
  });
});

describe('the replay against the live engine over the same cluster story', () => {
  // The cluster's PriorityClasses, as the run collector is configured with them (it reads none).
  const CLASSES = { low: 100, high: 1000 };
  // One embedded store per process: the story starts over in emptied tables.
  let live: TestStore;
  let liveApp: TestApp;
  beforeAll(async () => {
    live = store;
    liveApp = h;
    for (const table of ['runs', 'gpu_samples', 'actions']) await store.store.client.command({ query: `TRUNCATE TABLE ${store.ctx.database}.${table}` });
  });

  function trainingJob(name: string, priorityClass: string, parallelism: number, runSeconds?: number): V1Job {
    return {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name, namespace: NS, annotations: { 'sim.mlwarden.dev/checkpoint-seconds': '30', ...(runSeconds ? { 'sim.mlwarden.dev/run-seconds': String(runSeconds) } : {}) } },
      spec: { parallelism, template: { spec: { restartPolicy: 'Never', priorityClassName: priorityClass, containers: [{ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': '2' } } }] } } },
    };
  }

  test('the run rows the RunCollector wrote replay into exactly the preemption the engine took', async () => {
    const cluster = await startCluster({ gpus: 8, priorityClasses: CLASSES });
    const e = startEngine(cluster, live, PREEMPT);
    const sink = async (kind: string, records: ReadonlyArray<Record<string, unknown>>) => {
      const response = await post(liveApp.app, kind, records);
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}`);
    };
    const collector = new RunCollector({ kubeConfig: cluster.kubeConfig, namespaces: [NS], sink, health: new CollectorHealth(new Registry()), now: cluster.clock.now, priorityClasses: CLASSES, settleMs: 10, skipKinds: ['TFJob'] });
    try {
      collector.start();
      await collector.synced();
      const elapse = async (ms: number) => {
        for (let left = ms; left > 0; left -= 30_000) {
          cluster.clock.advance(Math.min(30_000, left));
          cluster.scheduler.reconcile();
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        await collector.flush();
      };
      const UTIL: Record<string, number> = { 'low-a': 0.9, 'low-b': 0.05, 'low-c': 0.2, 'low-d': 0.95 };
      for (const name of Object.keys(UTIL)) await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: trainingJob(name, 'low', 1) });
      cluster.scheduler.reconcile();
      await elapse(40 * MIN);
      // The same utilisation for the live engine (its input) and in the store (the replay's).
      for (const [job, u] of Object.entries(UTIL)) e.inputs.utilization.set(`${NS}/${job}`, Array.from({ length: 5 }, (_, i) => ({ minute: cluster.clock.now() - (i + 1) * MIN, utilization: u })));
      const sampled = await post(liveApp.app, 'gpu', Object.entries(UTIL).flatMap(([job, u]) => samples(job, u, T0, T0 + 60 * MIN)));
      expect(sampled.status).toBe(200);

      await cluster.apis.batch.createNamespacedJob({ namespace: NS, body: trainingJob('high', 'high', 2, 1800) });
      cluster.scheduler.reconcile();
      await elapse(11 * MIN);
      await e.engine.pass();
      await elapse(MIN);
      await e.engine.pass();
      await elapse(MIN);
      const actions = await e.log.list();
      expect(actions.map((a) => [a.kind, a.status, a.victims])).toEqual([['preempt', 'done', [`job/${NS}/low-b`, `job/${NS}/low-c`]]]);
      const runs = await live.rows<{ n: string }>(`SELECT count() AS n FROM ${live.ctx.database}.runs WHERE state = 'suspended'`);
      expect(Number(runs[0]?.n)).toBe(2);

      const report = await runBacktest({ store: live.store, database: live.ctx.database, policies: PREEMPT, from: T0, to: cluster.clock.now(), gpuCapacity: 8 });
      const comparison = compareWithActions(report, actions);
      expect(comparison).toMatchObject({ agree: true, matched: [actions[0]?.id] });
      expect(wouldAct(report)[0]?.reason).toContain(`preempt ${NS}/low-b, ${NS}/low-c`);
    } finally {
      await collector.stop();
      await cluster.close();
    }
  });
});
