import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validateRecords, type TelemetryKind } from '../../src/domain/telemetry/index.js';
import { loadSloSpecs, type EventCounts, type Slo } from '../../src/domain/slo/index.js';
import { telemetryInserter, windowCounts } from '../../src/store/index.js';
import { seededRandom } from '../support/random.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * Every store SLI kind of examples/slos/store-*.yaml, evaluated on the real engine and compared with
 * a reference computed here, independently, from the same generated events.
 */
const MIN = 60_000;
const H = 60 * MIN;
const END = Date.UTC(2026, 10, 24, 12, 0, 0);
const STARTS = [END - 5 * MIN, END - H, END - 24 * H, END - 72 * H];
const random = seededRandom(42);
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
const inWindow = (ts: number, start: number) => ts >= start && ts < END;

const EXAMPLES = join(import.meta.dirname, '../../examples/slos');
const slos = new Map<string, Slo>(
  loadSloSpecs(
    readdirSync(EXAMPLES).filter((f) => f.startsWith('store-')).map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8') })),
    END,
  ).map((s) => [s.name, s]),
);

let t: TestStore;
const seeded: Record<string, Array<Record<string, unknown>>> = { requests: [], runs: [], gpu: [], features: [] };

async function seed(kind: TelemetryKind, records: Array<Record<string, unknown>>): Promise<void> {
  seeded[kind]?.push(...records);
  await telemetryInserter(t.store.client, 'mlwarden').insert(kind, validateRecords(kind, records, END));
}

function requests(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 4000; i++) {
    const ts = END - between(0, 80 * H) - 1;
    const r = random();
    const status = r < 0.03 ? 503 : r < 0.05 ? 429 : r < 0.06 ? 404 : 200;
    out.push({ ts, model: random() < 0.8 ? 'fraud' : 'churn', version: random() < 0.5 ? 'v1' : 'v2', status, latency_ms: Math.round(random() * 400 * 100) / 100 });
  }
  for (let i = 0; i < 200; i++) {
    const ts = END - between(0, 80 * H) - 1;
    const [a, b, c] = [between(0, 50), between(0, 20), between(0, 5)];
    out.push({ ts, model: 'fraud', version: 'v2', count: a + b + c, errors: Math.min(c, a + b + c), latency_buckets: { '100': a, '250': b, '+Inf': c }, latency_sum_ms: 1 });
  }
  return out;
}

function runs(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const kinds = ['pipeline', 'training', 'evaluation', 'step'] as const;
  for (let i = 0; i < 600; i++) {
    const kind = kinds[i % 4] as string;
    const created = END - between(0, 80 * H) - 10 * MIN;
    const started = created + between(0, 10 * MIN);
    const finished = Math.min(started + between(MIN, 3 * H), END - 1);
    const attempts = random() < 0.2 ? 2 : 1;
    const outcome = random() < 0.15 ? 'failed' : 'succeeded';
    const base = {
      run_id: `run-${i}`, kind, pipeline: random() < 0.5 ? 'train-fraud' : 'etl', namespace: random() < 0.5 ? 'ml-prod' : 'ml-dev', model: random() < 0.5 ? 'fraud' : 'churn',
      labels: kind === 'step' && random() < 0.5 ? { step_type: 'artifact-upload' } : {},
    };
    out.push({ ...base, ts: started, state: 'running', created_at: created, started_at: started, attempt: 1 });
    if (attempts === 2) out.push({ ...base, ts: Math.max(started, finished - MIN), state: 'failed', attempt: 1, reason: 'OOMKilled' });
    out.push({ ...base, ts: finished, state: outcome, attempt: attempts, finished_at: finished });
    if (random() < 0.05) out.push({ ...base, ts: finished, state: 'canceled', attempt: attempts });
  }
  return out;
}

function gpuSamples(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let m = 0; m < 6 * 60; m++) {
    for (let g = 0; g < 4; g++) {
      const allocated = g < 3;
      for (let s = 0; s < 2; s++) {
        out.push({ ts: END - (m + 1) * MIN + s * 30_000, node: `node-${g % 2}`, gpu_uuid: `GPU-${g}`, namespace: g === 0 ? 'team-a' : 'team-b', pod: allocated ? `pod-${g}` : '', job: allocated ? `job-${g}` : '', util_pct: between(0, 101) });
      }
    }
  }
  return out;
}

function features(): Array<Record<string, unknown>> {
  // Data arrives in bursts with gaps longer than the 1h freshness threshold.
  const out: Array<Record<string, unknown>> = [];
  for (let m = 0; m < 80 * 60; m++) {
    const hour = Math.floor(m / 60);
    if (hour % 5 === 3 || hour % 7 === 0 || random() < 0.5) continue;
    out.push({ ts: END - m * MIN - between(1, MIN), model: 'fraud', feature: 'amount', value: random() });
  }
  return out;
}

beforeAll(async () => {
  t = await openTestStore();
  await seed('requests', requests());
  await seed('runs', runs());
  await seed('gpu', gpuSamples());
  await seed('features', features());
}, 120_000);
afterAll(() => t.close());

async function counts(name: string, groupBy: string[] = []) {
  const slo = slos.get(name) as Slo;
  return windowCounts(t.store.client, 'mlwarden', { sli: slo.sli, groupBy, starts: STARTS, end: END });
}

function expectCounts(actual: EventCounts[] | undefined, expected: EventCounts[]): void {
  expect(actual).toBeDefined();
  actual?.forEach((c, i) => {
    expect(c.total, `window ${i} total`).toBeCloseTo(expected[i]?.total ?? NaN, 9);
    expect(c.good, `window ${i} good`).toBeCloseTo(expected[i]?.good ?? NaN, 9);
  });
}

const reqs = () => seeded.requests as Array<{ ts: number; model: string; version: string; status?: number; latency_ms?: number; count?: number; errors?: number; latency_buckets?: Record<string, number> }>;

describe('store SLI kinds match an independent reference on chDB', () => {
  test('availability counts non-5xx responses, expanding pre-aggregated batches, per version', async () => {
    const rows = await counts('fraud-availability', ['version']);
    for (const version of ['v1', 'v2']) {
      const expected = STARTS.map((start) => {
        const these = reqs().filter((r) => r.model === 'fraud' && r.version === version && inWindow(r.ts, start));
        const total = these.reduce((s, r) => s + (r.count ?? 1), 0);
        const bad = these.reduce((s, r) => s + (r.errors ?? ((r.status ?? 0) >= 500 ? 1 : 0)), 0);
        return { good: total - bad, total };
      });
      expectCounts(rows.find((r) => r.labels.version === version)?.counts, expected);
    }
  });

  test('issue 9 point 6: latency counts raw latencies under the threshold and interpolates inside the bucket the threshold falls in', async () => {
    const [row] = await counts('fraud-latency');
    const expected = STARTS.map((start) => {
      let good = 0;
      let total = 0;
      for (const r of reqs().filter((x) => x.model === 'fraud' && inWindow(x.ts, start))) {
        if (r.latency_buckets) {
          const b = r.latency_buckets;
          good += (b['100'] ?? 0) + ((b['250'] ?? 0) * (200 - 100)) / (250 - 100);
          total += r.count ?? 0;
        } else {
          good += (r.latency_ms ?? Infinity) <= 200 ? 1 : 0;
          total += 1;
        }
      }
      return { good, total };
    });
    expectCounts(row?.counts, expected);
  });

  const runRows = () => seeded.runs as Array<{ ts: number; run_id: string; kind: string; state: string; pipeline: string; namespace: string; attempt?: number; labels: Record<string, string>; created_at?: number; started_at?: number }>;

  /** Reference: a run's outcome is its last succeeded/failed row in the window, counted at that row's time. */
  function finished(kind: string, start: number, filter: (r: ReturnType<typeof runRows>[number]) => boolean = () => true) {
    const last = new Map<string, ReturnType<typeof runRows>[number]>();
    for (const r of runRows()) {
      if (r.kind !== kind || !['succeeded', 'failed'].includes(r.state) || !inWindow(r.ts, start) || !filter(r)) continue;
      const prev = last.get(r.run_id);
      if (!prev || r.ts >= prev.ts) last.set(r.run_id, r);
    }
    return [...last.values()];
  }

  test.each([
    ['pipeline_success counts finished pipeline runs of one pipeline and namespace', 'train-fraud-pipeline-success', 'pipeline', (r: { pipeline: string; namespace: string }) => r.pipeline === 'train-fraud' && r.namespace === 'ml-prod'],
    ['training_completion counts finished training jobs', 'training-completion', 'training', () => true],
    ['validation_pass counts finished evaluation runs', 'model-validation-pass', 'evaluation', () => true],
    ['artifact_upload counts finished steps labelled artifact-upload', 'artifact-upload-success', 'step', (r: { labels: Record<string, string> }) => r.labels.step_type === 'artifact-upload'],
  ])('%s', async (_name, slo, kind, filter) => {
    const rows = await counts(slo);
    const expected = STARTS.map((start) => {
      const runs = finished(kind, start, filter);
      return { good: runs.filter((r) => r.state === 'succeeded').length, total: runs.length };
    });
    expectCounts(rows[0]?.counts ?? STARTS.map(() => ({ good: 0, total: 0 })), expected);
  });

  test('first_attempt_success counts finished steps that succeeded on attempt 1', async () => {
    const [row] = await counts('step-first-attempt-success');
    const expected = STARTS.map((start) => {
      const runs = finished('step', start);
      const attempts = (id: string) => Math.max(...runRows().filter((r) => r.run_id === id && ['succeeded', 'failed'].includes(r.state) && inWindow(r.ts, start)).map((r) => r.attempt ?? 1));
      return { good: runs.filter((r) => r.state === 'succeeded' && attempts(r.run_id) === 1).length, total: runs.length };
    });
    expectCounts(row?.counts, expected);
  });

  test('scheduling counts training runs that started within 300 s, per namespace', async () => {
    const rows = await counts('training-scheduling', ['namespace']);
    for (const namespace of ['ml-prod', 'ml-dev']) {
      const expected = STARTS.map((start) => {
        const started = runRows().filter((r) => r.kind === 'training' && r.namespace === namespace && r.started_at !== undefined && inWindow(r.ts, start));
        return { good: started.filter((r) => (r.started_at as number) - (r.created_at as number) <= 300_000).length, total: started.length };
      });
      expectCounts(rows.find((r) => r.labels.namespace === namespace)?.counts, expected);
    }
  });

  test('gpu_efficiency counts allocated GPU-minutes whose mean utilisation reached 60%', async () => {
    const rows = await counts('gpu-efficiency', ['namespace']);
    const samples = seeded.gpu as Array<{ ts: number; gpu_uuid: string; namespace: string; pod: string; util_pct: number }>;
    for (const namespace of ['team-a', 'team-b']) {
      const expected = STARTS.map((start) => {
        const minutes = new Map<string, number[]>();
        for (const s of samples.filter((x) => x.namespace === namespace && x.pod !== '' && inWindow(x.ts, start))) {
          const key = `${s.gpu_uuid}@${Math.floor(s.ts / MIN)}`;
          minutes.set(key, [...(minutes.get(key) ?? []), s.util_pct]);
        }
        const means = [...minutes.values()].map((u) => u.reduce((a, b) => a + b, 0) / u.length);
        return { good: means.filter((m) => m >= 60).length, total: means.length };
      });
      expectCounts(rows.find((r) => r.labels.namespace === namespace)?.counts, expected);
    }
  });

  test('freshness counts minutes whose newest feature data was at most an hour old', async () => {
    const [row] = await counts('fraud-feature-freshness');
    const arrivals = (seeded.features as Array<{ ts: number }>).map((f) => f.ts);
    const firstInPeriod = Math.min(...arrivals.filter((a) => a >= (STARTS[3] as number) - H).map((a) => Math.floor(a / MIN) * MIN));
    const expected = STARTS.map((start) => {
      let good = 0;
      let total = 0;
      for (let m = Math.max(start, firstInPeriod); m < END; m += MIN) {
        total++;
        if (arrivals.some((a) => Math.floor(a / MIN) * MIN <= m && Math.floor(a / MIN) * MIN > m - H)) good++;
      }
      return { good, total };
    });
    expectCounts(row?.counts, expected);
    expect(row?.counts[3]?.good).toBeLessThan(row?.counts[3]?.total ?? 0);
  });

  test('drift counts feature-windows under threshold, ignoring windows with insufficient data', async () => {
    const scores = [
      { ts: END - 30 * MIN, feature: 'amount', status: 'ok' },
      { ts: END - 90 * MIN, feature: 'amount', status: 'drifting' },
      { ts: END - 90 * MIN, feature: 'country', status: 'insufficient' },
      { ts: END - 2 * MIN, feature: 'country', status: 'ok' },
    ];
    await t.store.client.insert({
      table: 'mlwarden.drift_scores',
      values: scores.map((s) => ({ ...s, window_start: s.ts - 30 * MIN, model: 'fraud', version: 'v2', psi: 0, threshold: 0.1, n_reference: 1000, n_current: 500, computed_at: END })),
      format: 'JSONEachRow',
    });
    const rows = await counts('fraud-drift', ['feature']);
    expectCounts(rows.find((r) => r.labels.feature === 'amount')?.counts, [{ good: 0, total: 0 }, { good: 1, total: 1 }, { good: 1, total: 2 }, { good: 1, total: 2 }]);
    expectCounts(rows.find((r) => r.labels.feature === 'country')?.counts, [{ good: 1, total: 1 }, { good: 1, total: 1 }, { good: 1, total: 1 }, { good: 1, total: 1 }]);
  });

  test('a custom ratio runs the admin queries read-only with the window bound', async () => {
    const [row] = await counts('fraud-non-throttled');
    const expected = STARTS.map((start) => {
      const these = reqs().filter((r) => r.model === 'fraud' && r.status !== undefined && inWindow(r.ts, start));
      return { good: these.filter((r) => r.status !== 429).length, total: these.length };
    });
    expectCounts(row?.counts, expected);
  });

  test.each([
    ['an INSERT', "INSERT INTO mlwarden.requests (model) VALUES ('custom-write')"],
    ['a second statement', "SELECT 1; INSERT INTO mlwarden.requests (model) VALUES ('custom-write')"],
  ])('a custom query that tries to write (%s) is refused and writes nothing', async (_name, query) => {
    const sli = { type: 'custom' as const, good_query: query, total_query: 'SELECT 1' };
    await expect(windowCounts(t.store.client, 'mlwarden', { sli, groupBy: [], starts: STARTS, end: END })).rejects.toThrow();
    expect(await t.rows("SELECT count() AS n FROM mlwarden.requests WHERE model = 'custom-write'")).toEqual([{ n: 0 }]);
  });
});
