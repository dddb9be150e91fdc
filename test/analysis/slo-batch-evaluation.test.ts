import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateSlo, evaluateSlos, SloEvaluationLoop, SloMetrics, type SloEvaluation, type WindowCountsBatchReader } from '../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../src/domain/slo/index.js';
import { validateRecords } from '../../src/domain/telemetry/index.js';
import { telemetryInserter, windowCounts, windowCountsBatch, type WindowQuery } from '../../src/store/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * evaluateSlos (what the loop runs each cycle) batches SLOs into shared reads and gives each SLO the
 * evaluation evaluateSlo gives it alone; a failing batch or assessment fails only its own SLOs.
 */
const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 30);
const END = Date.UTC(2026, 10, 24, 12, 0, 0);

const slo = (name: string, sli: string, options: { window?: string; groupBy?: string[] } = {}) => `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  objective: 99
  window: ${options.window ?? '30d'}
  sli: ${sli}
  group_by: [${(options.groupBy ?? []).join(', ')}]
  alerting: { min_events: 10 }
`;

const SPECS = [
  slo('fraud-availability', '{ type: availability, model: fraud }', { groupBy: ['version'] }),
  slo('fraud-v2-availability', '{ type: availability, model: fraud, version: v2 }'),
  slo('churn-availability-7d', '{ type: availability, model: churn }', { window: '7d' }),
  slo('ghost-availability', '{ type: availability, model: ghost }', { groupBy: ['version'] }),
  slo('fraud-latency', '{ type: latency, model: fraud, threshold_ms: 100 }'),
  slo('churn-latency', '{ type: latency, model: churn, threshold_ms: 100 }', { groupBy: ['endpoint'] }),
  slo('fraud-freshness', '{ type: freshness, model: fraud, threshold_s: 600, source: requests }'),
];

let t: TestStore;
let slos: Slo[];

beforeAll(async () => {
  t = await openTestStore();
  slos = loadSloSpecs(SPECS.map((text, i) => ({ name: `spec-${i}.yaml`, text })), NOW);
  const records: Array<Record<string, unknown>> = [];
  for (let m = 1; m <= 3 * 24 * 60; m += 7) {
    for (const [model, version, endpoint] of [['fraud', 'v1', '/predict'], ['fraud', 'v2', '/predict'], ['churn', 'v1', '/score'], ['churn', 'v1', '/explain']] as const) {
      records.push({ ts: END - m * MIN + 1000, model, version, endpoint, status: m % 11 === 0 ? 503 : 200, latency_ms: (m * 37) % 180 });
    }
  }
  await telemetryInserter(t.store.client, 'mlwarden').insert('requests', validateRecords('requests', records, END));
}, 120_000);
afterAll(() => t.close());

const reader: () => WindowCountsBatchReader = () => (queries) => windowCountsBatch(t.store.client, 'mlwarden', queries);

describe('evaluating SLOs in batches', () => {
  test('each SLO gets exactly the evaluation it gets alone, in order, with fewer reads', async () => {
    const calls: WindowQuery[][] = [];
    const outcomes = await evaluateSlos((queries) => {
      calls.push(queries);
      return reader()(queries);
    }, slos, NOW);
    expect(outcomes.map((o) => o.slo.name)).toEqual(slos.map((s) => s.name));
    // availability (30d and 7d together), latency at 100 ms, freshness alone.
    expect(calls.map((c) => c.length).sort()).toEqual([1, 2, 4]);
    for (const outcome of outcomes) {
      expect(outcome.error).toBeUndefined();
      const alone = await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), outcome.slo, NOW);
      const evaluation = outcome.evaluation as SloEvaluation;
      expect(evaluation.overall).toEqual(alone.overall);
      const sorted = (e: SloEvaluation) => [...e.groups].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
      expect(sorted(evaluation)).toEqual(sorted(alone));
    }
    const byName = new Map(outcomes.map((o) => [o.slo.name, o.evaluation as SloEvaluation]));
    expect(byName.get('fraud-availability')?.groups.map((g) => g.labels.version).sort()).toEqual(['v1', 'v2']);
    expect(byName.get('fraud-availability')?.overall.period.counts.total).toBeGreaterThan(1000);
    expect(byName.get('ghost-availability')?.groups).toEqual([]);
    expect(byName.get('ghost-availability')?.overall.health).toBe('no-data');
  });

  test('a failing batch fails its own SLOs only; the others are evaluated', async () => {
    const outcomes = await evaluateSlos(async (queries) => {
      if (queries.some((q) => q.sli.type === 'latency')) throw new Error('ClickHouse is unhappy');
      return reader()(queries);
    }, slos, NOW);
    for (const o of outcomes) {
      if (o.slo.sli.type === 'latency') expect(o.error?.message).toBe('ClickHouse is unhappy');
      else expect(o.evaluation?.slo.name).toBe(o.slo.name);
    }
  });

  test('a reader returning the wrong number of results fails that batch instead of misattributing counts', async () => {
    const outcomes = await evaluateSlos(async (queries) => (await reader()(queries)).slice(1), slos, NOW);
    for (const o of outcomes) {
      if (o.slo.sli.type === 'freshness') expect(o.error?.message).toMatch(/0 results for 1 queries/);
      else expect(o.error?.message).toMatch(/results for \d+ queries/);
    }
  });

  test('the loop counts and logs each failed SLO, keeps the others, and alerts only on successes', async () => {
    const registry = new Registry();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const cycles: string[][] = [];
    const loop = new SloEvaluationLoop({
      slos: () => slos,
      evaluate: (list, at) =>
        evaluateSlos(async (queries) => {
          if (queries.some((q) => q.sli.type === 'latency')) throw new Error('latency batch failed');
          return reader()(queries);
        }, list, at),
      onCycle: async (evaluations) => void cycles.push(evaluations.map((e) => e.slo.name)),
      metrics: new SloMetrics(registry),
      logger,
      intervalMs: 30_000,
      now: () => NOW,
    });
    const done = await loop.runOnce();
    const failed = slos.filter((s) => s.sli.type === 'latency').map((s) => s.name);
    expect(done.map((e) => e.slo.name)).toEqual(slos.map((s) => s.name).filter((n) => !failed.includes(n)));
    expect(cycles).toEqual([done.map((e) => e.slo.name)]);
    for (const name of failed) {
      expect(loop.lastError.get(name)).toBe('latency batch failed');
      expect(loop.latest.has(name)).toBe(false);
    }
    expect(loop.latest.has('fraud-availability')).toBe(true);
    const metrics = await registry.getSingleMetricAsString('mlwarden_slo_evaluation_errors_total');
    for (const name of failed) expect(metrics).toContain(`mlwarden_slo_evaluation_errors_total{slo="${name}"} 1`);
    expect(lines.filter((l) => l.includes('SLO evaluation failed'))).toHaveLength(failed.length);
    const durations = await registry.getSingleMetricAsString('mlwarden_slo_evaluation_duration_seconds');
    expect(durations).toContain('mlwarden_slo_evaluation_duration_seconds_count{slo="fraud-availability"} 1');
  });
});
