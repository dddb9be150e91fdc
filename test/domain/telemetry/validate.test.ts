import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../../src/domain/errors.js';
import { validateRecords, type TelemetryKind } from '../../../src/domain/telemetry/index.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const TS = '2026-11-24T11:59:00Z';

function problemsOf(kind: TelemetryKind, records: unknown[]) {
  try {
    validateRecords(kind, records, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(MlwardenError);
    return (error as MlwardenError).problems;
  }
  throw new Error('expected the records to be rejected');
}

describe('valid records become rows', () => {
  test('a raw request with an HTTP 503 counts as one request and one error', () => {
    const [row] = validateRecords('requests', [{ ts: TS, model: 'fraud', version: 'v2', status: 503, latency_ms: 12.5 }], NOW);
    expect(row).toMatchObject({ ts: Date.parse(TS), model: 'fraud', version: 'v2', status: 503, count: 1, errors: 1, latency_ms: 12.5, latency_sum_ms: 12.5 });
  });

  test('a raw request with ok:false and no status is an error; 404 alone is not', () => {
    const rows = validateRecords('requests', [
      { ts: TS, model: 'm', ok: false, latency_ms: 1 },
      { ts: TS, model: 'm', status: 404, latency_ms: 1 },
    ], NOW);
    expect(rows.map((r) => r.errors)).toEqual([1, 0]);
  });

  test('a pre-aggregated batch keeps its buckets sorted by bound, +Inf last', () => {
    const [row] = validateRecords('requests', [
      { ts: NOW - 1000, model: 'm', count: 10, errors: 2, latency_buckets: { '+Inf': 1, '100': 4, '10': 5 }, latency_sum_ms: 300 },
    ], NOW);
    expect(row).toMatchObject({ count: 10, errors: 2, latency_ms: null, bucket_bounds_ms: [10, 100, Infinity], bucket_counts: [5, 4, 1] });
  });

  test('run states from Kubeflow, Job conditions and MLflow are normalised', () => {
    const states = ['SUCCEEDED', 'Complete', 'FINISHED', 'KILLED', 'CANCELING', 'SCHEDULED', 'Failed'];
    const rows = validateRecords('runs', states.map((state, i) => ({ ts: TS, run_id: `r${i}`, kind: 'pipeline', state })), NOW);
    expect(rows.map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'canceled', 'running', 'pending', 'failed']);
  });

  test('a run derives its pending time from created_at and started_at', () => {
    const [row] = validateRecords('runs', [
      { ts: TS, run_id: 'r', kind: 'training', state: 'running', created_at: '2026-11-24T11:00:00Z', started_at: '2026-11-24T11:02:30Z' },
    ], NOW);
    expect(row?.pending_ms).toBe(150_000);
  });

  test('a feature histogram has edges.length + 1 counts and a missing count', () => {
    const [row] = validateRecords('features', [{ ts: TS, model: 'm', feature: 'age', edges: [18, 30, 50], counts: [1, 2, 3, 4], missing: 5 }], NOW);
    expect(row).toMatchObject({ observations: 15, hist_edges: [18, 30, 50], hist_counts: [1, 2, 3, 4], hist_missing: 5, value: null });
  });

  test('a feature observation may be a number, a category or missing (null)', () => {
    const rows = validateRecords('features', [
      { ts: TS, model: 'm', feature: 'age', value: 42 },
      { ts: TS, model: 'm', feature: 'country', category: 'DE' },
      { ts: TS, model: 'm', feature: 'age', value: null },
    ], NOW);
    expect(rows.map((r) => [r.value, r.category])).toEqual([[42, null], [null, 'DE'], [null, null]]);
  });

  test('epoch milliseconds and ISO-8601 with an offset give the same instant', () => {
    const rows = validateRecords('gpu', [
      { ts: Date.parse(TS), node: 'n1', gpu_uuid: 'GPU-1', util_pct: 50 },
      { ts: '2026-11-24T12:59:00+01:00', node: 'n1', gpu_uuid: 'GPU-1', util_pct: 50 },
    ], NOW);
    expect(rows[0]?.ts).toBe(rows[1]?.ts);
  });
});

describe('invalid records are rejected with the index, field and reason', () => {
  test.each([
    ['a latency that is negative', 'requests', { ts: TS, model: 'm', status: 200, latency_ms: -1 }, 'latency_ms', />=0/],
    ['a request with neither status nor ok', 'requests', { ts: TS, model: 'm', latency_ms: 1 }, 'status', /required/],
    ['a status outside 100..599', 'requests', { ts: TS, model: 'm', status: 700, latency_ms: 1 }, 'status', /<=599/],
    ['a model that is missing', 'requests', { ts: TS, status: 200, latency_ms: 1 }, 'model', /expected string/],
    ['a model that is empty', 'requests', { ts: TS, model: '', status: 200, latency_ms: 1 }, 'model', /empty/],
    ['a field nobody knows (a typo)', 'requests', { ts: TS, model: 'm', status: 200, latency: 1 }, '(record)', /latency/],
    ['a timestamp in epoch seconds', 'requests', { ts: 1_795_000_000, model: 'm', status: 200, latency_ms: 1 }, 'ts', /epoch seconds/],
    ['a timestamp without a time zone', 'requests', { ts: '2026-11-24 10:00:00', model: 'm', status: 200, latency_ms: 1 }, 'ts', /ISO-8601/],
    ['a timestamp two days in the future', 'requests', { ts: NOW + 2 * 86_400_000, model: 'm', status: 200, latency_ms: 1 }, 'ts', /future/],
    ['a batch with more errors than requests', 'requests', { ts: TS, model: 'm', count: 1, errors: 2 }, 'errors', /exceeds count/],
    ['a batch whose buckets are cumulative', 'requests', { ts: TS, model: 'm', count: 10, errors: 0, latency_buckets: { '10': 5, '+Inf': 10 } }, 'latency_buckets', /not cumulative/],
    ['a batch with a bucket bound that is not a number', 'requests', { ts: TS, model: 'm', count: 1, errors: 0, latency_buckets: { fast: 1 } }, 'latency_buckets.fast', /not a non-negative number/],
    ['GPU utilisation above 100%', 'gpu', { ts: TS, node: 'n', gpu_uuid: 'g', util_pct: 101 }, 'util_pct', /<=100/],
    ['SM activity given as a percentage', 'gpu', { ts: TS, node: 'n', gpu_uuid: 'g', util_pct: 5, sm_active: 80 }, 'sm_active', /<=1/],
    ['an unknown run state', 'runs', { ts: TS, run_id: 'r', kind: 'pipeline', state: 'exploded' }, 'state', /unknown run state/],
    ['an unknown run kind', 'runs', { ts: TS, run_id: 'r', kind: 'notebook', state: 'running' }, 'kind', /pipeline/],
    ['a run that finished before it started', 'runs', { ts: TS, run_id: 'r', kind: 'step', state: 'failed', started_at: TS, finished_at: '2026-11-24T11:00:00Z' }, 'finished_at', /before started_at/],
    ['a feature with both value and category', 'features', { ts: TS, model: 'm', feature: 'f', value: 1, category: 'a' }, 'category', /not both/],
    ['a histogram with a count per edge instead of per bin', 'features', { ts: TS, model: 'm', feature: 'f', edges: [1, 2], counts: [1, 1] }, 'counts', /edges.length \+ 1/],
    ['a histogram with edges out of order', 'features', { ts: TS, model: 'm', feature: 'f', edges: [2, 1], counts: [1, 1, 1] }, 'edges.1', /increasing/],
  ] as const)('%s', (_sentence, kind, record, field, reason) => {
    const problems = problemsOf(kind, [{ ts: TS, model: 'ok', status: 200, latency_ms: 1 }, record].slice(kind === 'requests' ? 0 : 1));
    const problem = problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.index).toBe(kind === 'requests' ? 1 : 0);
    expect(problem?.reason).toMatch(reason);
  });

  test('one bad record rejects the whole request and the message says nothing was written', () => {
    const good = { ts: TS, model: 'm', status: 200, latency_ms: 1 };
    expect(() => validateRecords('requests', [good, good, { ...good, latency_ms: Number.NaN }], NOW)).toThrow(/1 of 3 requests records are invalid; nothing was written/);
  });

  test('a body of a thousand bad records reports at most 20 problems', () => {
    const bad = Array.from({ length: 1000 }, () => ({ ts: 'x' }));
    const problems = problemsOf('requests', bad);
    expect(problems.length).toBe(20);
  });
});
