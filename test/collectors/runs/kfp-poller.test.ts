import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CollectorHealth } from '../../../collectors/collector-health.js';
import { RunCollector } from '../../../collectors/runs/run-collector.js';
import type { RunRecord } from '../../../collectors/runs/run-record.js';
import { startKfpEmulator, type KfpEmulator } from '../../../src/simulate/index.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { metric, quiet, T0, until } from './emulated-cluster.js';

const TOKEN = 'kfp-secret';
let kfp: KfpEmulator;
let clock: number;
let sent: RunRecord[];
let registry: Registry;
let collector: RunCollector | undefined;

beforeEach(async () => {
  clock = T0;
  sent = [];
  registry = new Registry();
  kfp = await startKfpEmulator({ now: () => clock, token: TOKEN });
  kfp.addPipelineVersion('pipe-1', 'v1', 'retrain v1');
});

afterEach(async () => {
  await collector?.stop();
  collector = undefined;
  await kfp.close();
});

function startCollector(options: { token?: string; pageSize?: number } = { token: TOKEN }): RunCollector {
  const sink = async (_kind: string, records: ReadonlyArray<Record<string, unknown>>) => void sent.push(...(records as RunRecord[]));
  collector = new RunCollector({ sink, health: new CollectorHealth(registry), now: () => clock, kfp: { url: kfp.url, intervalMs: 40, ...options } });
  collector.start();
  return collector;
}

async function createRun(name: string): Promise<string> {
  const body = { display_name: name, pipeline_version_reference: { pipeline_id: 'pipe-1', pipeline_version_id: 'v1' } };
  const response = await fetch(`${kfp.url}/apis/v2beta1/runs`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await response.json()) as { run_id: string }).run_id;
}

const statesOf = (runId: string) => sent.filter((r) => r.run_id === runId).map((r) => (r.reason === '' ? r.state : `${r.state} ${r.reason}`));

describe('KFP v2beta1 poller', () => {
  test('Each state change of a run should be sent once, with the pipeline, times and error reason', async () => {
    const runId = await createRun('nightly');
    startCollector();
    await until(() => statesOf(runId).length === 1, 'the pending row');
    clock += 30_000;
    kfp.setRunState(runId, 'RUNNING');
    await until(() => statesOf(runId).length === 2, 'the running row');
    clock += 60_000;
    kfp.setRunState(runId, 'FAILED', 'step train: OOMKilled');
    await until(() => statesOf(runId).length === 3, 'the failed row');
    await quiet(200); // several more polls
    expect(statesOf(runId)).toEqual(['pending', 'running', 'failed step train: OOMKilled']);
    const failed = sent[2];
    expect(failed).toMatchObject({ kind: 'pipeline', pipeline: 'pipe-1', version: 'v1', created_at: T0, started_at: T0 + 30_000, finished_at: T0 + 90_000, pending_ms: 30_000 });
    expect(validateRecords('runs', sent, clock)).toHaveLength(3);
  });

  test('Runs on later pages should be read too', async () => {
    const ids = [];
    for (let i = 0; i < 5; i += 1) ids.push(await createRun(`run-${i}`));
    startCollector({ token: TOKEN, pageSize: 2 });
    await until(() => sent.length === 5, () => `5 rows, got ${sent.length}`);
    expect(sent.map((r) => r.run_id).sort()).toEqual([...ids].sort());
    expect(kfp.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(3);
  });

  test('HTTP 500s should be counted and backed off, and the poller should recover and send what changed meanwhile once', async () => {
    const runId = await createRun('nightly');
    startCollector();
    await until(() => statesOf(runId).length === 1, 'the pending row');
    kfp.faults.add({ method: 'GET', path: '/apis/v2beta1/runs', status: 500, times: 3 });
    const before = kfp.requests.length;
    kfp.setRunState(runId, 'RUNNING');
    kfp.setRunState(runId, 'SUCCEEDED');
    await until(() => statesOf(runId).length === 2, 'the succeeded row', 10_000);
    await quiet(200);
    expect(statesOf(runId)).toEqual(['pending', 'succeeded']);
    expect(await metric(registry, 'mlwarden_collector_errors_total', { collector: 'runs_kfp', reason: 'kfp_http_500' })).toBe(3);
    // Three failures back off 40·2, 40·4, 40·8 ms (half of it jittered): far fewer polls than at 40 ms.
    expect(kfp.requests.length - before).toBeLessThan(12);
  });

  test('A missing bearer token should be reported as 401 and send nothing', async () => {
    await createRun('nightly');
    startCollector({});
    await until(() => kfp.requests.length >= 1, 'a poll');
    await quiet(100);
    expect(sent).toEqual([]);
    expect(await metric(registry, 'mlwarden_collector_errors_total', { collector: 'runs_kfp', reason: 'kfp_http_401' })).toBeGreaterThanOrEqual(1);
  });
});
