import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PlatformMetrics } from '../../src/analysis/index.js';
import { costPerInference, jobCosts } from '../../src/domain/cost/index.js';
import { validateRecords } from '../../src/domain/telemetry/index.js';
import { AlertHistory, PlatformFigures, telemetryInserter } from '../../src/store/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12);
const PRICES = { default_usd_per_hour: 2, by_gpu_model: { 'NVIDIA H100 80GB HBM3': 6 } };

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
  const insert = telemetryInserter(t.store.client, 'mlwarden');
  const gpu: Array<Record<string, unknown>> = [];
  for (let m = 0; m < 120; m++) {
    // fraud serving: 1 H100 for 2 hours (sampled twice a minute); train-job: 2 A100s for 1 hour; an idle GPU with no pod.
    for (const s of [0, 30_000]) {
      gpu.push({ ts: NOW - (m + 1) * MIN + s, node: 'n1', gpu_uuid: 'GPU-h100', gpu_model: 'NVIDIA H100 80GB HBM3', namespace: 'serving', pod: 'fraud-predictor-0', job: 'fraud', util_pct: 40 });
      if (m < 60) for (const g of ['a', 'b']) gpu.push({ ts: NOW - (m + 1) * MIN + s, node: 'n2', gpu_uuid: `GPU-${g}`, gpu_model: 'NVIDIA A100-SXM4-80GB', namespace: 'ml', pod: 'train-0', job: 'train-job', util_pct: 90 });
      gpu.push({ ts: NOW - (m + 1) * MIN + s, node: 'n3', gpu_uuid: 'GPU-idle', namespace: '', util_pct: 0 });
    }
  }
  await insert.insert('gpu', validateRecords('gpu', gpu, NOW));
  await insert.insert('requests', validateRecords('requests', [{ ts: NOW - MIN, model: 'fraud', count: 4000, errors: 0 }], NOW));
  const runs = [
    { ts: NOW - 50 * MIN, run_id: 'p1', kind: 'pipeline', pipeline: 'train-fraud', state: 'succeeded', started_at: NOW - 80 * MIN, finished_at: NOW - 50 * MIN },
    { ts: NOW - 40 * MIN, run_id: 'p2', kind: 'pipeline', pipeline: 'train-fraud', state: 'succeeded', started_at: NOW - 50 * MIN, finished_at: NOW - 40 * MIN },
    { ts: NOW - 30 * MIN, run_id: 'p3', kind: 'pipeline', pipeline: 'train-fraud', state: 'succeeded', started_at: NOW - 90 * MIN, finished_at: NOW - 30 * MIN },
    { ts: NOW - 20 * MIN, run_id: 'p4', kind: 'pipeline', pipeline: 'train-fraud', state: 'failed', started_at: NOW - 90 * MIN, finished_at: NOW - 20 * MIN },
  ];
  await insert.insert('runs', validateRecords('runs', runs, NOW));
  await new AlertHistory(t.store.client, 'mlwarden').record([
    { ts: NOW - 100 * MIN, slo: 'fraud-availability', severity: 'page', alertname: 'A', dedupe_key: 'k1', group_labels: {}, state: 'resolved', tier: 'page-fast', since: NOW - 100 * MIN, firing_since: NOW - 130 * MIN, long_burn: null, short_burn: null },
    { ts: NOW - 10 * MIN, slo: 'fraud-availability', severity: 'page', alertname: 'A', dedupe_key: 'k1', group_labels: {}, state: 'resolved', tier: 'page-fast', since: NOW - 10 * MIN, firing_since: NOW - 20 * MIN, long_burn: null, short_burn: null },
  ]);
});
afterAll(() => t.close());

describe('platform figures that are not SLOs', () => {
  test('GPU cost counts allocated GPU-minutes at each GPU model price; an idle unallocated GPU costs nothing', async () => {
    const figures = new PlatformFigures(t.store.client, 'mlwarden');
    const costs = jobCosts(await figures.gpuHours(NOW - 24 * 60 * MIN, NOW), PRICES);
    expect(costs.find((c) => c.job === 'fraud')).toMatchObject({ gpu_hours: 2, usd: 12 });
    expect(costs.find((c) => c.job === 'train-job')).toMatchObject({ gpu_hours: 2, usd: 4 });
    expect(costs.find((c) => c.namespace === '')).toBeUndefined();
    expect(costPerInference(costs, await figures.requestsPerModel(NOW - 24 * 60 * MIN, NOW))).toEqual([{ model: 'fraud', usd: 12 / 4000 }]);
  });

  test('the exported gauges: cost, cost per inference, MTTR and median pipeline duration', async () => {
    const registry = new Registry();
    await new PlatformMetrics(registry, new PlatformFigures(t.store.client, 'mlwarden'), PRICES, pino({ level: 'silent' })).refresh(NOW);
    const text = await registry.metrics();
    expect(text).toContain('mlwarden_gpu_cost_usd{namespace="serving",job="fraud"} 12');
    expect(text).toContain('mlwarden_cost_per_inference_usd{model="fraud"} 0.003');
    expect(text).toContain('mlwarden_slo_mttr_seconds{slo="fraud-availability"} 1200');
    expect(text).toContain('mlwarden_pipeline_run_duration_median_seconds{pipeline="train-fraud"} 1800');
  });
});
