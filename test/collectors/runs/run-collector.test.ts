import { BatchV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RunRecord } from '../../../collectors/runs/run-record.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { emulatedCluster, gpuJob, metric, NS, quiet, summary, T0, until, type EmulatedCluster } from './emulated-cluster.js';

let cluster: EmulatedCluster;
beforeEach(async () => {
  cluster = await emulatedCluster(4);
});
afterEach(async () => {
  await cluster.close();
});

const OOM_TWICE = { 'sim.mlwarden.dev/fail-attempts': '2', 'sim.mlwarden.dev/fail-after-seconds': '1', 'sim.mlwarden.dev/run-seconds': '10' };
const rowsOf = (name: string) => cluster.sent.filter((r) => r.labels.name === name);
const keys = (rows: readonly RunRecord[]) => rows.map((r) => `${r.run_id}#${r.attempt}#${r.state}`);
const batch = () => cluster.kubeConfig.makeApiClient(BatchV1Api);

/** A blocker holding the whole pool until second 5, and `train` created at second 0 behind it. */
async function queueBehindBlocker(annotations: Record<string, string> = OOM_TWICE): Promise<void> {
  await batch().createNamespacedJob({ namespace: NS, body: gpuJob('blocker', 4, { 'sim.mlwarden.dev/run-seconds': '5' }) });
  cluster.at(0);
  await batch().createNamespacedJob({ namespace: NS, body: gpuJob('train', 4, annotations, { 'mlwarden.dev/model': 'ranker', 'app.kubernetes.io/version': 'v7' }) });
  cluster.at(1);
}

describe('RunCollector against the Kubernetes emulator', () => {
  test('A Job that waits for GPUs, is OOMKilled twice and then succeeds should yield one row per attempt state change, with pending time and reasons', async () => {
    await queueBehindBlocker();
    const collector = cluster.collector();
    collector.start();
    await collector.synced();
    await until(() => rowsOf('train').length === 1, 'the pending row');
    for (const [second, count] of [[5, 2], [6, 4], [7, 6], [17, 7]] as const) {
      cluster.at(second);
      await until(() => rowsOf('train').length === count, `${count} rows after second ${second}`);
    }
    await quiet();
    const rows = rowsOf('train');
    expect(summary(rows)).toEqual(['a1 pending Unschedulable', 'a1 running', 'a1 failed OOMKilled', 'a2 running', 'a2 failed OOMKilled', 'a3 running', 'a3 succeeded']);
    const at = (s: number) => T0 + s * 1000;
    expect(rows[1]).toMatchObject({ kind: 'training', namespace: NS, model: 'ranker', version: 'v7', gpus: 4, created_at: at(0), started_at: at(5), pending_ms: 5000 });
    expect(rows[2]).toMatchObject({ attempt: 1, finished_at: at(6), ts: at(6) });
    expect(rows[3]).toMatchObject({ attempt: 2, created_at: at(6), started_at: at(6), pending_ms: 0 });
    expect(rows[6]).toMatchObject({ attempt: 3, state: 'succeeded', started_at: at(7), finished_at: at(17) });
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(1);
    expect(validateRecords('runs', cluster.sent, cluster.clock.ms)).toHaveLength(cluster.sent.length);
    expect(summary(rowsOf('blocker'))).toEqual(['a1 running', 'a1 succeeded']);
    expect(await metric(cluster.registry, 'mlwarden_collector_records_total', { collector: 'runs' })).toBe(cluster.sent.length);
  });

  test('Watches that drop and fail to reconnect should resume from their resourceVersion: no relist, nothing lost, nothing twice', async () => {
    await queueBehindBlocker();
    const collector = cluster.collector({ watchTimeoutSeconds: 1 });
    collector.start();
    await collector.synced();
    cluster.emulator.faults.add({ method: 'GET', path: `/namespaces/${NS}/jobs`, status: 500, times: 2 });
    cluster.emulator.faults.add({ method: 'GET', path: `/namespaces/${NS}/pods`, status: 503, times: 2 });
    await until(() => cluster.emulator.openWatchCount() < 5, 'a watch to drop', 3000);
    for (const second of [5, 6, 7, 17]) cluster.at(second);
    await until(() => rowsOf('train').length === 7, () => `every row, got ${JSON.stringify(summary(rowsOf('train')))}`, 10_000);
    await quiet(1500); // at least one more timeout and resume of every watch
    expect(summary(rowsOf('train'))).toEqual(['a1 pending Unschedulable', 'a1 running', 'a1 failed OOMKilled', 'a2 running', 'a2 failed OOMKilled', 'a3 running', 'a3 succeeded']);
    const lists = cluster.emulator.accessLog.records().filter((r) => r.verb === 'list' && r.status === 200 && r.resource === 'jobs');
    expect(lists).toHaveLength(1);
    expect(await metric(cluster.registry, 'mlwarden_collector_errors_total', { collector: 'runs_job', reason: 'http_500' })).toBeGreaterThanOrEqual(1);
  });

  test('A compacted history (410 Gone) should make the watch relist and reconcile: the current state once, no duplicates', async () => {
    await queueBehindBlocker();
    const collector = cluster.collector({ watchTimeoutSeconds: 1 });
    collector.start();
    await collector.synced();
    // Keep the Job watch down while the cluster moves on, then compact what it would resume from.
    cluster.emulator.faults.add({ method: 'GET', path: `/namespaces/${NS}/jobs`, status: 500, times: 3 });
    await until(() => cluster.emulator.openWatchCount() < 5, 'the Job watch to drop', 3000);
    cluster.at(5);
    cluster.at(6);
    await batch().createNamespacedJob({ namespace: NS, body: gpuJob('late', 0) });
    cluster.emulator.store.compact();
    await until(() => cluster.sent.some((r) => r.labels.name === 'late'), 'the relist to find the new Job', 15_000);
    cluster.at(7);
    cluster.at(17);
    await until(() => rowsOf('train').length === 6, () => `every row, got ${JSON.stringify(summary(rowsOf('train')))}`, 10_000);
    await quiet(1500);
    const all = keys(cluster.sent);
    expect(all).toEqual([...new Set(all)]);
    // Attempt 1 started and failed inside the compacted gap: the relist shows it failed, not that it ran.
    expect(summary(rowsOf('train'))).toEqual(['a1 pending Unschedulable', 'a1 failed OOMKilled', 'a2 running', 'a2 failed OOMKilled', 'a3 running', 'a3 succeeded']);
    expect(await metric(cluster.registry, 'mlwarden_collector_errors_total', { collector: 'runs_job', reason: 'expired' })).toBeGreaterThanOrEqual(1);
    const lists = cluster.emulator.accessLog.records().filter((r) => r.verb === 'list' && r.status === 200 && r.resource === 'jobs');
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });

  test('Rows the sink refuses should be kept and delivered once it accepts them, each once', async () => {
    await queueBehindBlocker();
    const accepted: Array<Record<string, unknown>> = [];
    let refusals = 2;
    const sink = async (_kind: string, records: ReadonlyArray<Record<string, unknown>>) => {
      if (refusals-- > 0) throw new Error('ingest unavailable');
      accepted.push(...records);
    };
    const collector = cluster.collector({ sink });
    collector.start();
    await collector.synced();
    await until(() => accepted.length === 2, () => `2 rows, got ${accepted.length}`, 10_000);
    expect(accepted.map((r) => `${String((r.labels as Record<string, string>).name)} ${String(r.state)}`).sort()).toEqual(['blocker running', 'train pending']);
    expect(await metric(cluster.registry, 'mlwarden_collector_errors_total', { collector: 'runs', reason: 'send' })).toBe(2);
  });

  test('A PyTorchJob whose master is OOMKilled once should yield a failed first attempt with the reason of its replaced pod, then success', async () => {
    const template = { spec: { containers: [{ name: 'pytorch', image: 'ddp:1', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } };
    const body = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'ddp', labels: { 'mlwarden.dev/model': 'llm' }, annotations: { 'sim.mlwarden.dev/fail-attempts': '1', 'sim.mlwarden.dev/run-seconds': '5' } },
      spec: { runPolicy: {}, pytorchReplicaSpecs: { Master: { replicas: 1, template }, Worker: { replicas: 1, template } } },
    };
    await cluster.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'kubeflow.org', version: 'v1', plural: 'pytorchjobs', namespace: NS, body });
    const collector = cluster.collector();
    collector.start();
    await collector.synced();
    cluster.at(0);
    await until(() => rowsOf('ddp').length === 2, () => `pending and running, got ${JSON.stringify(summary(rowsOf('ddp')))}`);
    cluster.at(1);
    await until(() => rowsOf('ddp').length === 4, () => `the failure, got ${JSON.stringify(summary(rowsOf('ddp')))}`);
    cluster.at(7);
    await until(() => rowsOf('ddp').length === 5, () => `the success, got ${JSON.stringify(summary(rowsOf('ddp')))}`);
    await quiet();
    expect(summary(rowsOf('ddp'))).toEqual(['a1 pending', 'a1 running', 'a1 failed OOMKilled', 'a2 running', 'a2 succeeded']);
    expect(rowsOf('ddp')[4]).toMatchObject({ kind: 'training', model: 'llm', gpus: 2 });
    expect(validateRecords('runs', cluster.sent, cluster.clock.ms)).toHaveLength(cluster.sent.length);
  });
});
