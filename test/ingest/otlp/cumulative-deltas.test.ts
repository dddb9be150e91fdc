import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CumulativeDeltas, type CumulativePoint } from '../../../src/ingest/otlp/cumulative-deltas.js';
import { telemetryInserter } from '../../../src/store/index.js';
import { testApp, type TestApp } from '../../support/test-app.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';
import { CUMULATIVE, histogramExport, postOtlp } from './otlp-requests.js';

const RECEIVER_START = 1_000n;

function point(start: number, time: number, buckets: number[], sum = 0): CumulativePoint {
  return { startNanos: BigInt(start), timeNanos: BigInt(time), count: buckets.reduce((a, b) => a + b, 0), sum, bounds: [100], bucketCounts: buckets };
}

/** Feeds points of one series in order, advancing after each, and returns each delta's bucket counts. */
function deltasOf(points: CumulativePoint[]): Array<readonly number[] | undefined> {
  const deltas = new CumulativeDeltas(RECEIVER_START);
  return points.map((p) => {
    const result = deltas.delta('series', p);
    result.advance();
    return result.delta?.bucketCounts;
  });
}

describe('CumulativeDeltas', () => {
  test.each([
    ['a series that started after the receiver counts its first point in full, then differences', [point(2_000, 3_000, [2, 1]), point(2_000, 4_000, [5, 1])], [[2, 1], [3, 0]]],
    ['an unseen series that started before the receiver only sets the baseline', [point(500, 3_000, [7, 7]), point(500, 4_000, [9, 8])], [undefined, [2, 1]]],
    ['a new start time makes the point itself the delta', [point(2_000, 3_000, [4, 0]), point(3_500, 4_000, [1, 1])], [[4, 0], [1, 1]]],
    ['totals that went down under the same start (a reset) make the point itself the delta, never a negative one', [point(2_000, 3_000, [4, 4]), point(2_000, 4_000, [1, 0])], [[4, 4], [1, 0]]],
    ['a point repeated by a retried export adds nothing', [point(2_000, 3_000, [4, 0]), point(2_000, 3_000, [4, 0])], [[4, 0], undefined]],
    ['a late point older than the baseline adds nothing', [point(2_000, 4_000, [4, 0]), point(2_000, 3_000, [2, 0])], [[4, 0], undefined]],
  ])('%s', (_, points, expected) => {
    expect(deltasOf(points)).toEqual(expected);
  });

  test('the baseline moves only when advanced, so a refused export is recomputed from the old baseline', () => {
    const deltas = new CumulativeDeltas(RECEIVER_START);
    deltas.delta('s', point(2_000, 3_000, [1, 0])).advance();
    expect(deltas.delta('s', point(2_000, 4_000, [3, 0])).delta?.bucketCounts).toEqual([2, 0]); // refused: not advanced
    expect(deltas.delta('s', point(2_000, 5_000, [6, 0])).delta?.bucketCounts).toEqual([5, 0]);
  });

  test('the stalest series is forgotten beyond the series limit', () => {
    const deltas = new CumulativeDeltas(RECEIVER_START, 2);
    for (const key of ['a', 'b', 'c']) deltas.delta(key, point(2_000, 3_000, [1, 0])).advance();
    expect(deltas.series).toBe(2);
    expect(deltas.delta('a', point(2_000, 4_000, [2, 0])).delta?.count).toBe(2);
    expect(deltas.delta('c', point(2_000, 4_000, [2, 0])).delta?.count).toBe(1);
  });
});

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
let t: TestStore;
let h: TestApp;
let failNextInsert = false;
/** The app (and its OTLP receiver) starts an hour before NOW; the tests then run at NOW. */
const STARTED = NOW - 60 * MIN;
let clock = STARTED;

beforeAll(async () => {
  t = await openTestStore();
  const real = telemetryInserter(t.store.client, t.ctx.database);
  h = testApp(t, {
    now: () => clock,
    inserter: {
      insert: async (kind, rows) => {
        if (failNextInsert) {
          failNextInsert = false;
          throw new Error('ClickHouse did not answer');
        }
        return real.insert(kind, rows);
      },
    },
  });
  clock = NOW;
});
afterAll(async () => {
  await h.close();
  await t.close();
});

async function stored(model: string) {
  const [row] = await t.rows<{ count: string; b: string[] }>(
    'SELECT sum(count) AS count, sumForEach(bucket_counts) AS b FROM mlwarden.requests WHERE model = {model:String}',
    { model },
  );
  return { count: Number(row?.count ?? 0), buckets: (row?.b ?? []).map(Number) };
}

describe('cumulative histograms over HTTP', () => {
  test('two exports of a cumulative histogram store the delta, not doubled counts', async () => {
    const start = NOW - 10 * MIN;
    expect((await postOtlp(h.app, 'metrics', histogramExport('m-twice', CUMULATIVE, [{ start, time: NOW - 2 * MIN, buckets: [3, 1, 0], sumMs: 400 }]))).status).toBe(200);
    expect((await postOtlp(h.app, 'metrics', histogramExport('m-twice', CUMULATIVE, [{ start, time: NOW - MIN, buckets: [5, 2, 1], sumMs: 900 }]))).status).toBe(200);
    expect(await stored('m-twice')).toEqual({ count: 8, buckets: [5, 2, 1] });
  });

  test('a reset (a new start time with smaller totals) stores the new totals and never goes negative', async () => {
    await postOtlp(h.app, 'metrics', histogramExport('m-reset', CUMULATIVE, [{ start: NOW - 10 * MIN, time: NOW - 3 * MIN, buckets: [10, 5, 5] }]));
    const response = await postOtlp(h.app, 'metrics', histogramExport('m-reset', CUMULATIVE, [{ start: NOW - 2 * MIN, time: NOW - MIN, buckets: [1, 0, 2] }]));
    expect(response.status).toBe(200);
    expect(await stored('m-reset')).toEqual({ count: 23, buckets: [11, 5, 7] });
  });

  test('a series that started before the receiver only sets its baseline with its first point', async () => {
    const start = STARTED - MIN;
    await postOtlp(h.app, 'metrics', histogramExport('m-old', CUMULATIVE, [{ start, time: NOW - 2 * MIN, buckets: [100, 0, 0] }]));
    expect(await stored('m-old')).toEqual({ count: 0, buckets: [] });
    await postOtlp(h.app, 'metrics', histogramExport('m-old', CUMULATIVE, [{ start, time: NOW - MIN, buckets: [104, 1, 0] }]));
    expect(await stored('m-old')).toEqual({ count: 5, buckets: [4, 1, 0] });
  });

  test('an export refused with 503 is stored in full when the exporter retries it', async () => {
    const start = NOW - 10 * MIN;
    await postOtlp(h.app, 'metrics', histogramExport('m-retry', CUMULATIVE, [{ start, time: NOW - 3 * MIN, buckets: [1, 0, 0] }]));
    failNextInsert = true;
    const refused = await postOtlp(h.app, 'metrics', histogramExport('m-retry', CUMULATIVE, [{ start, time: NOW - 2 * MIN, buckets: [4, 0, 0] }]));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await postOtlp(h.app, 'metrics', histogramExport('m-retry', CUMULATIVE, [{ start, time: NOW - 2 * MIN, buckets: [4, 0, 0] }]))).status).toBe(200);
    expect(await stored('m-retry')).toEqual({ count: 4, buckets: [4, 0, 0] });
  });
});
