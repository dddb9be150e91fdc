import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sliSchema, type Sli } from '../../src/domain/slo/index.js';
import { validateRecords, type TelemetryKind } from '../../src/domain/telemetry/index.js';
import { telemetryInserter, windowBatchKey, windowCounts, windowCountsBatch, type GroupCounts, type WindowQuery } from '../../src/store/index.js';
import { seededRandom } from '../support/random.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * Batched window counts (one ClickHouse query for many SLOs) equal the single-SLO path, SLO by SLO,
 * on the real engine: every store SLI kind, different filter columns and values, group labels,
 * windows, thresholds, and SLOs with no data at all or none inside their own windows.
 */
const MIN = 60_000;
const H = 60 * MIN;
const END = Date.UTC(2026, 10, 24, 12, 0, 0);
/** Two window sets with different earliest starts, as SLOs with different tiers and periods have. */
const LONG = [END - 5 * MIN, END - H, END - 24 * H, END - 72 * H];
const SHORT = [END - 30 * MIN, END - 6 * H, END - 48 * H];
const random = seededRandom(7);
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

let t: TestStore;

async function seed(kind: TelemetryKind, records: Array<Record<string, unknown>>): Promise<void> {
  await telemetryInserter(t.store.client, 'mlwarden').insert(kind, validateRecords(kind, records, END));
}

function requests(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 6000; i++) {
    const r = random();
    out.push({
      ts: END - between(0, 80 * H) - 1,
      model: pick(['fraud', 'fraud', 'churn', 'ranker']),
      version: pick(['v1', 'v2']),
      endpoint: pick(['/predict', '/predict', '/explain']),
      namespace: pick(['prod', 'dev']),
      status: r < 0.04 ? 503 : r < 0.06 ? 429 : 200,
      latency_ms: Math.round(random() * 400 * 100) / 100,
    });
  }
  for (let i = 0; i < 300; i++) {
    const [a, b, c] = [between(0, 50), between(0, 20), between(0, 5)];
    out.push({ ts: END - between(0, 80 * H) - 1, model: pick(['fraud', 'churn']), version: 'v2', endpoint: '/predict', namespace: 'prod', count: a + b + c, errors: c, latency_buckets: { '100': a, '250': b, '+Inf': c }, latency_sum_ms: 1 });
  }
  // A model whose only traffic is older than SHORT's earliest start but inside LONG's.
  for (let i = 0; i < 20; i++) out.push({ ts: END - 60 * H - i * MIN, model: 'retired', version: 'v1', endpoint: '/predict', namespace: 'prod', status: i % 5 === 0 ? 500 : 200, latency_ms: 10 });
  return out;
}

function runs(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const kinds = ['pipeline', 'training', 'evaluation', 'step'] as const;
  for (let i = 0; i < 800; i++) {
    const kind = kinds[i % 4] as string;
    const created = END - between(0, 80 * H) - 10 * MIN;
    const started = created + between(0, 10 * MIN);
    const finished = Math.min(started + between(MIN, 3 * H), END - 1);
    const attempts = random() < 0.2 ? 2 : 1;
    const base = {
      run_id: `run-${i}`, kind, pipeline: pick(['train-fraud', 'etl']), namespace: pick(['ml-prod', 'ml-dev']), model: pick(['fraud', 'churn']),
      labels: kind === 'step' && random() < 0.5 ? { step_type: 'artifact-upload' } : {},
    };
    out.push({ ...base, ts: started, state: 'running', created_at: created, started_at: started, attempt: 1 });
    if (attempts === 2) out.push({ ...base, ts: Math.max(started, finished - MIN), state: 'failed', attempt: 1, reason: 'OOMKilled' });
    out.push({ ...base, ts: finished, state: random() < 0.15 ? 'failed' : 'succeeded', attempt: attempts, finished_at: finished });
  }
  return out;
}

function gpuSamples(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let m = 0; m < 5 * 60; m++) {
    for (let g = 0; g < 4; g++) {
      for (let s = 0; s < 2; s++) {
        out.push({ ts: END - (m + 1) * MIN + s * 30_000, node: `node-${g % 2}`, gpu_uuid: `GPU-${g}`, namespace: g === 0 ? 'team-a' : 'team-b', pod: g < 3 ? `pod-${g}` : '', job: g < 3 ? `job-${g}` : '', util_pct: between(0, 101) });
      }
    }
  }
  return out;
}

async function driftScores(): Promise<void> {
  const values = [];
  for (let i = 0; i < 200; i++) {
    const ts = END - between(0, 80 * H);
    values.push({ ts, window_start: ts - 30 * MIN, model: pick(['fraud', 'churn']), version: pick(['v1', 'v2']), feature: pick(['amount', 'country']), psi: 0, threshold: 0.1, n_reference: 1000, n_current: 500, status: pick(['ok', 'ok', 'drifting', 'insufficient']), computed_at: END });
  }
  await t.store.client.insert({ table: 'mlwarden.drift_scores', values, format: 'JSONEachRow' });
}

beforeAll(async () => {
  t = await openTestStore();
  await seed('requests', requests());
  await seed('runs', runs());
  await seed('gpu', gpuSamples());
  await driftScores();
}, 120_000);
afterAll(() => t.close());

const q = (sli: Record<string, unknown>, groupBy: string[] = [], starts: readonly number[] = LONG): WindowQuery => ({ sli: sliSchema.parse(sli) as Sli, groupBy, starts, end: END });

/** Availability over the rollup, from SLOs with different filter columns, groups and windows; none unfiltered. */
const AVAILABILITY: WindowQuery[] = [
  q({ type: 'availability', model: 'fraud' }),
  q({ type: 'availability', model: 'fraud' }, ['version']),
  q({ type: 'availability', model: 'churn', version: 'v2' }, [], SHORT),
  q({ type: 'availability', model: 'fraud', endpoint: '/explain' }, ['namespace']),
  q({ type: 'availability', model: 'churn', endpoint: '/predict' }, ['version', 'namespace']),
  q({ type: 'availability', model: 'ranker', endpoint: '/explain' }, [], SHORT),
  q({ type: 'availability', namespace: 'dev' }, ['model', 'version']),
  q({ type: 'availability', model: 'retired' }, [], LONG),
  q({ type: 'availability', model: 'retired' }, [], SHORT),
  q({ type: 'availability', model: 'nosuch' }),
  q({ type: 'availability', model: 'fraud', version: 'v9' }, ['version']),
];

/** Every other store kind, plus SLOs that group everything (no filter) and kinds that never batch. */
const MIXED: WindowQuery[] = [
  ...AVAILABILITY,
  q({ type: 'availability' }, ['model'], SHORT),
  q({ type: 'latency', model: 'fraud', threshold_ms: 200 }, ['version']),
  q({ type: 'latency', model: 'churn', threshold_ms: 200 }, [], SHORT),
  q({ type: 'latency', model: 'fraud', version: 'v2', threshold_ms: 200 }),
  q({ type: 'latency', model: 'fraud', threshold_ms: 100 }, ['endpoint']),
  q({ type: 'latency', model: 'retired', threshold_ms: 100 }, [], SHORT),
  q({ type: 'pipeline_success', pipeline: 'train-fraud', namespace: 'ml-prod' }),
  q({ type: 'pipeline_success', pipeline: 'etl', namespace: 'ml-dev' }, ['model']),
  q({ type: 'pipeline_success', pipeline: 'etl' }, ['namespace']),
  q({ type: 'pipeline_success', pipeline: 'etl' }, [], SHORT),
  q({ type: 'training_completion' }, ['namespace']),
  q({ type: 'training_completion', model: 'nosuch' }),
  q({ type: 'validation_pass', model: 'fraud' }),
  q({ type: 'first_attempt_success', run_kind: 'step', model: 'fraud' }),
  q({ type: 'first_attempt_success', run_kind: 'step', model: 'churn' }, ['pipeline']),
  q({ type: 'artifact_upload', namespace: 'ml-prod' }),
  q({ type: 'scheduling', threshold_s: 300, run_kind: 'training' }, ['namespace']),
  q({ type: 'scheduling', threshold_s: 300, run_kind: 'training', namespace: 'ml-dev' }),
  q({ type: 'scheduling', threshold_s: 300, run_kind: 'training', namespace: 'ml-prod' }, ['pipeline']),
  q({ type: 'gpu_efficiency', threshold_pct: 60, namespace: 'team-a' }),
  q({ type: 'gpu_efficiency', threshold_pct: 60, namespace: 'team-b' }, ['node']),
  q({ type: 'drift', model: 'fraud' }, ['feature']),
  q({ type: 'drift', model: 'fraud', version: 'v2' }, ['feature'], SHORT),
  q({ type: 'drift', model: 'churn', features: ['amount'] }),
  q({ type: 'freshness', model: 'fraud', threshold_s: 3600, source: 'requests' }),
  q({
    type: 'custom',
    good_query: "SELECT countIf(status < 500) FROM mlwarden.requests WHERE model = 'churn' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}",
    total_query: "SELECT count() FROM mlwarden.requests WHERE model = 'churn' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}",
  }),
];

/** A client that counts the queries it runs. */
function counting(client: ClickHouseClient): { client: ClickHouseClient; queries: () => number } {
  let n = 0;
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (...args: Parameters<ClickHouseClient['query']>) => {
          n++;
          return target.query(...args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return { client: proxy, queries: () => n };
}

const byLabels = (groups: GroupCounts[]) => new Map(groups.map((g) => [JSON.stringify(Object.entries(g.labels).sort()), g.counts]));

function expectSameCounts(batch: GroupCounts[] | undefined, single: GroupCounts[], what: string, fractional = false): void {
  expect(batch, what).toBeDefined();
  const a = byLabels(batch ?? []);
  const b = byLabels(single);
  expect([...a.keys()].sort(), `${what}: groups`).toEqual([...b.keys()].sort());
  for (const [labels, counts] of b) {
    const got = a.get(labels) ?? [];
    expect(got.length, `${what} ${labels}: windows`).toBe(counts.length);
    counts.forEach((c, i) => {
      // Counts of events are exact; latency's interpolated buckets make good a sum of fractions, equal up to summation order.
      expect(got[i]?.total, `${what} ${labels} window ${i} total`).toBe(c.total);
      if (fractional) expect(got[i]?.good, `${what} ${labels} window ${i} good`).toBeCloseTo(c.good, 9);
      else expect(got[i]?.good, `${what} ${labels} window ${i} good`).toBe(c.good);
    });
  }
}

async function singles(queries: readonly WindowQuery[]): Promise<GroupCounts[][]> {
  const out: GroupCounts[][] = [];
  for (const query of queries) out.push(await windowCounts(t.store.client, 'mlwarden', query));
  return out;
}

describe('batched window counts equal the single-SLO path on chDB', () => {
  test('availability SLOs with different filters, groups and windows share one query and get the same counts', async () => {
    const c = counting(t.store.client);
    const batch = await windowCountsBatch(c.client, 'mlwarden', AVAILABILITY);
    expect(c.queries()).toBe(1);
    const single = await singles(AVAILABILITY);
    AVAILABILITY.forEach((_, i) => expectSameCounts(batch[i], single[i] as GroupCounts[], `availability #${i}`));
    // The fixture is meaningful: data where expected, none where not.
    expect(single[0]?.[0]?.counts[3]?.total).toBeGreaterThan(1000);
    expect(single[7]?.[0]?.counts[3]?.total).toBe(20);
    expect(single[8]).toEqual([]);
    expect(single[9]).toEqual([]);
    expect(single[10]).toEqual([]);
  });

  test('a mixed set of every store kind gives, SLO by SLO, the counts of the single path, in fewer queries', async () => {
    const c = counting(t.store.client);
    const batch = await windowCountsBatch(c.client, 'mlwarden', MIXED);
    const single = await singles(MIXED);
    expect(batch).toHaveLength(MIXED.length);
    MIXED.forEach((query, i) => expectSameCounts(batch[i], single[i] as GroupCounts[], `#${i} ${query.sli.type}`, query.sli.type === 'latency'));
    const keys = new Set(MIXED.map((query, i) => windowBatchKey(query) ?? `alone-${i}`));
    // One query per batch; custom runs its two admin queries per window, freshness one.
    const custom = MIXED.filter((query) => query.sli.type === 'custom').length * 2 * LONG.length;
    expect(c.queries()).toBe(keys.size - MIXED.filter((query) => query.sli.type === 'custom').length + custom);
    expect(keys.size).toBeLessThan(MIXED.length / 2);
    // Groups of the unfiltered SLO over SHORT windows leave out the model whose traffic is older.
    const everything = batch[AVAILABILITY.length] ?? [];
    expect(everything.map((g) => g.labels.model).sort()).toEqual(['churn', 'fraud', 'ranker']);
  });

  test('batch keys: same kind and parameters share; thresholds, ends and per-entity filter columns or earliest starts split', () => {
    const key = (sli: Record<string, unknown>, groupBy: string[] = [], starts = LONG, end = END) => windowBatchKey({ ...q(sli, groupBy, starts), end });
    expect(key({ type: 'availability', model: 'a' })).toBe(key({ type: 'availability', model: 'b', version: 'v1' }, ['endpoint'], SHORT));
    expect(key({ type: 'latency', model: 'a', threshold_ms: 100 })).not.toBe(key({ type: 'latency', model: 'a', threshold_ms: 200 }));
    expect(key({ type: 'availability', model: 'a' })).not.toBe(key({ type: 'availability', model: 'a' }, [], LONG, END - MIN));
    expect(key({ type: 'pipeline_success', pipeline: 'a' })).toBe(key({ type: 'pipeline_success', pipeline: 'b' }, ['model']));
    expect(key({ type: 'pipeline_success', pipeline: 'a' })).not.toBe(key({ type: 'pipeline_success', pipeline: 'a', namespace: 'n' }));
    expect(key({ type: 'pipeline_success', pipeline: 'a' })).not.toBe(key({ type: 'pipeline_success', pipeline: 'a' }, [], SHORT));
    expect(key({ type: 'pipeline_success', pipeline: 'a' })).not.toBe(key({ type: 'training_completion', pipeline: 'a' }));
    expect(key({ type: 'drift', model: 'a', features: ['x'] })).not.toBe(key({ type: 'drift', model: 'a' }));
    expect(key({ type: 'freshness', model: 'a', threshold_s: 60 })).toBeUndefined();
  });

  test('filter values travel as bound parameters: a quote or backslash in a value matches only itself', async () => {
    const odd = "fraud' OR 1=1 --\\";
    const batch = await windowCountsBatch(t.store.client, 'mlwarden', [
      q({ type: 'availability', model: odd }),
      q({ type: 'availability', model: odd, version: 'v1' }),
      q({ type: 'availability', model: 'churn', version: "v1'" }),
    ]);
    expect(batch).toEqual([[], [], []]);
  });
});
