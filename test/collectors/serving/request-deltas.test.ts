import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseExposition } from '../../../collectors/prometheus-scrape.js';
import { RequestDeltas } from '../../../collectors/serving/request-deltas.js';
import type { SeriesTotals } from '../../../collectors/serving/serving-series.js';
import { processStart, targetSeries, type ServingFlavour } from '../../../collectors/serving/serving-target.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { seededRandom } from '../../support/random.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const MINUTE = 60_000;

function scrape(name: string, flavour: ServingFlavour) {
  const parsed = parseExposition(readFileSync(new URL(`../../fixtures/collectors/serving/${name}`, import.meta.url), 'utf8'));
  return { series: targetSeries(parsed, { url: 'http://x/metrics', flavour }), start: processStart(parsed) };
}

/** Batches from successive fixture scrapes of one target, one minute apart. */
function batchesOf(flavour: ServingFlavour, ...names: string[]) {
  const deltas = new RequestDeltas();
  return names.map((name, i) => {
    const s = scrape(name, flavour);
    return deltas.next(s.series, T0 + i * MINUTE, s.start);
  });
}

/** A series with a 3-bucket histogram (100 ms, 500 ms, +Inf), cumulative counts. */
function series(cumulative: [number, number, number], overrides: Partial<SeriesTotals> = {}): SeriesTotals {
  return {
    model: 'm', version: 'v1', endpoint: '', namespace: 'ns', key: 'lat{code="200"}',
    count: cumulative[2], errors: 0, sumMs: cumulative[2] * 50, boundsMs: [100, 500, Number.POSITIVE_INFINITY], cumulative, ...overrides,
  };
}

describe('RequestDeltas on successive scrapes', () => {
  test('the first scrape only sets the baseline', () => {
    expect(batchesOf('vllm', 'vllm-1.prom')).toEqual([[]]);
  });

  test('vLLM: the requests between two scrapes, with per-bucket counts keyed by ms bound', () => {
    const batch = batchesOf('vllm', 'vllm-1.prom', 'vllm-2.prom')[1]?.[0];
    expect(batch).toMatchObject({ ts: T0 + MINUTE, model: 'meta-llama/Llama-3.1-8B-Instruct', count: 22, errors: 0, latency_sum_ms: 25_250 });
    expect(Object.entries(batch?.latency_buckets ?? {}).filter(([, n]) => n > 0)).toEqual([['300', 3], ['800', 11], ['1500', 6], ['5000', 2]]);
    expect(Object.keys(batch?.latency_buckets ?? {}).at(-1)).toBe('+Inf');
  });

  test('KServe queue-proxy: the response-code series of one revision add up; a first 503 series counts from zero', () => {
    const [, batches] = batchesOf('kserve', 'kserve-queue-proxy-1.prom', 'kserve-queue-proxy-2.prom');
    expect(batches?.map((b) => [b.model, b.endpoint, b.count, b.errors, b.latency_sum_ms])).toEqual([['sklearn-iris', 'predictor', 65, 3, 2310.25 - 1234.5 + 372]]);
  });

  test('Triton: failures over every reason are errors; a model with no new requests yields no batch', () => {
    const [, batches] = batchesOf('triton', 'triton-1.prom', 'triton-2.prom');
    expect(batches?.map((b) => [b.model, b.version, b.count, b.errors, b.latency_sum_ms, b.latency_buckets])).toEqual([['densenet_onnx', '1', 255, 5, 2100, undefined]]);
  });

  test('generic: 5xx series count as errors', () => {
    const [, batches] = batchesOf('generic', 'generic-1.prom', 'generic-2.prom');
    expect(batches?.map((b) => [b.model, b.endpoint, b.count, b.errors])).toEqual([['fraud-detector', '/v1/predict', 79, 4]]);
  });

  test('a restart (new process_start_time, lower counters) counts the new values themselves: never negative', () => {
    const batch = batchesOf('vllm', 'vllm-1.prom', 'vllm-2.prom', 'vllm-3-restarted.prom')[2]?.[0];
    expect(batch).toMatchObject({ count: 4, errors: 0, latency_sum_ms: 2600 });
    expect(batch?.latency_buckets?.['800']).toBe(4);
  });

  test('every batch from the fixtures passes ingest validation', () => {
    const all = [
      ...batchesOf('vllm', 'vllm-1.prom', 'vllm-2.prom', 'vllm-3-restarted.prom'),
      ...batchesOf('kserve', 'kserve-queue-proxy-1.prom', 'kserve-queue-proxy-2.prom'),
      ...batchesOf('kserve', 'kserve-model-server-1.prom', 'kserve-model-server-2.prom'),
      ...batchesOf('triton', 'triton-1.prom', 'triton-2.prom'),
      ...batchesOf('generic', 'generic-1.prom', 'generic-2.prom'),
    ].flat();
    expect(all).toHaveLength(6);
    expect(validateRecords('requests', all, T0 + 10 * MINUTE)).toHaveLength(6);
  });
});

describe('RequestDeltas: counter resets and gaps', () => {
  test.each([
    ['the count went down', series([5, 8, 10]), series([2, 3, 4]), 4],
    ['only one bucket went down', series([1, 30, 60]), series([2, 25, 70]), 70],
    ['only the error counter went down', series([0, 0, 50], { errors: 5 }), series([0, 0, 60], { errors: 1 }), 60],
  ])('a reset where %s: the delta is the new value', (_name, before, after, expected) => {
    const deltas = new RequestDeltas();
    deltas.next([before], T0);
    const [batch] = deltas.next([after], T0 + MINUTE);
    expect(batch?.count).toBe(expected);
  });

  test('a changed process_start_time is a restart even when the counters came back higher', () => {
    const deltas = new RequestDeltas();
    deltas.next([series([5, 8, 10])], T0, 1000);
    expect(deltas.next([series([20, 40, 50])], T0 + MINUTE, 2000)[0]?.count).toBe(50);
    expect(deltas.next([series([20, 45, 60])], T0 + 2 * MINUTE, 2000)[0]?.count).toBe(10);
  });

  test('missed scrapes yield one batch covering the gap, equal to the batches the scrapes would have given', () => {
    const scrapes = [series([1, 2, 3]), series([4, 9, 12]), series([10, 20, 30]), series([11, 25, 41])];
    const every = new RequestDeltas();
    const perScrape = scrapes.flatMap((s, i) => every.next([s], T0 + i * MINUTE));
    const gapped = new RequestDeltas();
    gapped.next([scrapes[0] as SeriesTotals], T0);
    const [gap] = gapped.next([scrapes[3] as SeriesTotals], T0 + 3 * MINUTE);
    expect(gap).toMatchObject({ count: 38, latency_buckets: { '100': 10, '500': 13, '+Inf': 15 } });
    expect(perScrape.reduce((n, b) => n + b.count, 0)).toBe(38);
  });

  test('a bucket read a moment before its neighbour never makes a negative bucket count', () => {
    const deltas = new RequestDeltas();
    deltas.next([series([10, 10, 10])], T0);
    const [batch] = deltas.next([series([15, 14, 20])], T0 + MINUTE);
    expect(batch?.latency_buckets).toEqual({ '100': 5, '500': 0, '+Inf': 5 });
    expect(batch?.count).toBe(10);
  });

  test('over a random run of traffic and restarts: never a negative or doubled count, and what was counted since each restart is all there', () => {
    const random = seededRandom(42);
    const deltas = new RequestDeltas();
    let start = 1;
    let total = 0;
    let expected = 0;
    let counted = 0;
    for (let i = 0; i < 500; i++) {
      if (random() < 0.05) {
        start += 1;
        total = 0;
      }
      const served = Math.floor(random() * 20);
      total += served;
      const batches = deltas.next([series([Math.floor(total / 3), Math.floor(total / 2), total], { errors: Math.floor(total / 10) })], T0 + i * MINUTE, start);
      if (i > 0) expected += served;
      for (const b of batches) {
        expect(b.count).toBeGreaterThan(0);
        expect(b.errors).toBeGreaterThanOrEqual(0);
        expect(b.errors).toBeLessThanOrEqual(b.count);
        expect(Object.values(b.latency_buckets ?? {}).every((n) => n >= 0)).toBe(true);
        counted += b.count;
      }
    }
    expect(counted).toBe(expected);
  });
});
