import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

let t: TestStore;
let h: TestApp;
beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t);
});
afterAll(async () => {
  await h.close();
  await t.close();
});

const TS = '2026-11-24T10:00:00.123Z';
const MS = Date.parse(TS);
const ISO = (ms: number) => new Date(ms).toISOString();

async function accepted(kind: string, records: unknown[], headers?: Record<string, string>, body?: string): Promise<void> {
  const response = await post(h.app, kind, body ?? records, headers);
  expect(response.status, await response.clone().text()).toBe(200);
  expect(await response.json()).toEqual({ accepted: records.length });
}

describe('each telemetry kind round-trips through the HTTP API into ClickHouse', () => {
  test('runs keep every field, including derived pending time, nulls and labels', async () => {
    await accepted('runs', [
      {
        ts: TS, run_id: 'run-1', kind: 'training', pipeline: 'train-fraud', namespace: 'ml', model: 'fraud', version: 'v3',
        state: 'FAILED', reason: 'OOMKilled', attempt: 2, priority: 100, gpus: 8,
        created_at: '2026-11-24T09:00:00Z', started_at: '2026-11-24T09:05:00Z', finished_at: TS, labels: { team: 'risk' },
      },
      { ts: MS, run_id: 'run-2', kind: 'step', parent_run_id: 'run-1', state: 'running' },
    ]);
    const rows = await t.rows(
      `SELECT run_id, parent_run_id, kind, pipeline, namespace, model, version, state, reason, attempt, priority, gpus,
              toUnixTimestamp64Milli(ts) AS ts, toUnixTimestamp64Milli(created_at) AS created, toUnixTimestamp64Milli(finished_at) AS finished,
              pending_ms, labels FROM mlwarden.runs ORDER BY run_id`,
    );
    expect(rows).toEqual([
      {
        run_id: 'run-1', parent_run_id: '', kind: 'training', pipeline: 'train-fraud', namespace: 'ml', model: 'fraud', version: 'v3',
        state: 'failed', reason: 'OOMKilled', attempt: 2, priority: 100, gpus: 8, ts: MS,
        created: Date.parse('2026-11-24T09:00:00Z'), finished: MS, pending_ms: 300_000, labels: { team: 'risk' },
      },
      {
        run_id: 'run-2', parent_run_id: 'run-1', kind: 'step', pipeline: '', namespace: '', model: '', version: '', state: 'running',
        reason: '', attempt: 1, priority: 0, gpus: 0, ts: MS, created: null, finished: null, pending_ms: null, labels: {},
      },
    ]);
  });

  test('gpu samples keep utilisation, memory, power and SM activity (null where the GPU has none)', async () => {
    await accepted('gpu', [
      { ts: TS, node: 'gpu-node-1', gpu_uuid: 'GPU-a1', gpu_index: 3, gpu_model: 'NVIDIA A100-SXM4-80GB', namespace: 'ml', pod: 'train-0', job: 'train', util_pct: 87.5, mem_used_bytes: 40_000_000_000, mem_total_bytes: 85_899_345_920, power_w: 312.25, sm_active: 0.75 },
      { ts: TS, node: 'gpu-node-1', gpu_uuid: 'GPU-a2', util_pct: 0 },
    ]);
    const rows = await t.rows("SELECT gpu_uuid, gpu_index, gpu_model, pod, util_pct, mem_used_bytes, mem_total_bytes, power_w, sm_active FROM mlwarden.gpu_samples ORDER BY gpu_uuid");
    expect(rows).toEqual([
      { gpu_uuid: 'GPU-a1', gpu_index: 3, gpu_model: 'NVIDIA A100-SXM4-80GB', pod: 'train-0', util_pct: 87.5, mem_used_bytes: 40_000_000_000, mem_total_bytes: 85_899_345_920, power_w: 312.25, sm_active: 0.75 },
      { gpu_uuid: 'GPU-a2', gpu_index: 0, gpu_model: '', pod: '', util_pct: 0, mem_used_bytes: null, mem_total_bytes: null, power_w: null, sm_active: null },
    ]);
  });

  test('raw requests and pre-aggregated batches land in one table and roll up per minute', async () => {
    await accepted('requests', [
      { ts: MS, model: 'fraud', version: 'v2', endpoint: '/predict', status: 200, latency_ms: 10 },
      { ts: MS + 1, model: 'fraud', version: 'v2', endpoint: '/predict', status: 500, latency_ms: 30 },
      { ts: MS + 2, model: 'fraud', version: 'v2', endpoint: '/predict', count: 100, errors: 3, latency_buckets: { '25': 60, '250': 39, '+Inf': 1 }, latency_sum_ms: 4000 },
    ]);
    const raw = await t.rows('SELECT status, count, errors, latency_ms, bucket_bounds_ms, bucket_counts FROM mlwarden.requests ORDER BY ts');
    expect(raw).toEqual([
      { status: 200, count: 1, errors: 0, latency_ms: 10, bucket_bounds_ms: [], bucket_counts: [] },
      { status: 500, count: 1, errors: 1, latency_ms: 30, bucket_bounds_ms: [], bucket_counts: [] },
      // JSON has no infinity: ClickHouse renders the +Inf bound as null on output; in SQL it stays inf.
      { status: 0, count: 100, errors: 3, latency_ms: null, bucket_bounds_ms: [25, 250, null], bucket_counts: [60, 39, 1] },
    ]);
    const [rollup] = await t.rows(
      `SELECT sum(count) AS count, sum(errors) AS errors, sum(latency_sum_ms) AS latency_sum_ms, quantilesTDigestMerge(0.5, 0.95, 0.99)(latency_quantiles) AS q
       FROM mlwarden.requests_1m WHERE model = 'fraud'`,
    );
    expect(rollup).toMatchObject({ count: 102, errors: 4, latency_sum_ms: 4040 });
    expect((rollup as { q: number[] }).q[0]).toBeGreaterThanOrEqual(10);
    const [inf] = await t.rows<{ has_inf: number }>("SELECT has(bucket_bounds_ms, inf) AS has_inf FROM mlwarden.requests WHERE status = 0");
    expect(inf?.has_inf).toBe(1);
  });

  test('feature observations and serving-side histograms land in feature_values', async () => {
    await accepted('features', [
      { ts: TS, model: 'fraud', version: 'v2', feature: 'amount', value: 12.5 },
      { ts: TS, model: 'fraud', version: 'v2', feature: 'country', category: 'DE' },
      { ts: TS, model: 'fraud', version: 'v2', feature: 'amount', value: null },
      { ts: TS, model: 'fraud', version: 'v2', feature: 'age', edges: [18, 30, 50], counts: [1, 2, 3, 4], missing: 5 },
    ]);
    const rows = await t.rows("SELECT feature, value, category, observations, hist_edges, hist_counts, hist_missing FROM mlwarden.feature_values ORDER BY feature, value NULLS LAST");
    expect(rows).toEqual([
      { feature: 'age', value: null, category: null, observations: 15, hist_edges: [18, 30, 50], hist_counts: [1, 2, 3, 4], hist_missing: 5 },
      { feature: 'amount', value: 12.5, category: null, observations: 1, hist_edges: [], hist_counts: [], hist_missing: 0 },
      { feature: 'amount', value: null, category: null, observations: 1, hist_edges: [], hist_counts: [], hist_missing: 0 },
      { feature: 'country', value: null, category: 'DE', observations: 1, hist_edges: [], hist_counts: [], hist_missing: 0 },
    ]);
  });

  test('NDJSON bodies are accepted like JSON arrays, blank lines ignored', async () => {
    const lines = ['{"ts":"2026-11-24T10:00:00Z","model":"ndjson-model","status":200,"latency_ms":5}', '', '{"ts":"2026-11-24T10:00:01Z","model":"ndjson-model","status":200,"latency_ms":6}', ''];
    await accepted('requests', [{}, {}], { 'content-type': 'application/x-ndjson' }, lines.join('\n'));
    const [row] = await t.rows<{ n: number }>("SELECT count() AS n FROM mlwarden.requests WHERE model = 'ndjson-model'");
    expect(row?.n).toBe(2);
  });
});

describe('label values are stored byte-exactly', () => {
  const tricky = [
    `it's "quoted"`,
    'back\\slash \\N \\t literal',
    'tab\there\nnewline\r\ncrlf',
    "'); DROP TABLE mlwarden.requests; --",
    '{name:String} $1 ? %s',
    'ünïcödé 模型 🚀 ‮rtl',
    'nul\u0000byte',
  ];

  test.each(tricky)('the model label %j round-trips', async (model) => {
    await accepted('requests', [{ ts: TS, model, version: model, endpoint: model, status: 200, latency_ms: 1 }]);
    const rows = await t.rows<{ model: string; version: string; endpoint: string }>('SELECT model, version, endpoint FROM mlwarden.requests WHERE model = {m:String}', { m: model });
    expect(rows).toEqual([{ model, version: model, endpoint: model }]);
  });

  test('map labels with quotes, backslashes and newlines round-trip', async () => {
    const labels = { "k'ey": 'va\\l"ue', 'multi\nline': 'tab\tbed', '': 'empty key' };
    await accepted('runs', [{ ts: TS, run_id: 'labels-run', kind: 'pipeline', state: 'running', labels }]);
    const [row] = await t.rows<{ labels: Record<string, string> }>("SELECT labels FROM mlwarden.runs WHERE run_id = 'labels-run'");
    expect(row?.labels).toEqual(labels);
  });

  test('the summary API reports what landed, per kind and model', async () => {
    const response = await h.app.request(`/v1/telemetry/summary?from=${ISO(MS - 1000)}&to=${ISO(MS + 60_000)}&model=fraud&kind=requests`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { telemetry: unknown[] };
    expect(body.telemetry).toEqual([{ kind: 'requests', group: 'fraud', records: 3, events: 102, first_ts: TS, last_ts: ISO(MS + 2) }]);
  });
});
