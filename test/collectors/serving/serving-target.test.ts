import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseExposition } from '../../../collectors/prometheus-scrape.js';
import { processStart, targetSeries, type ServingTarget } from '../../../collectors/serving/serving-target.js';

const scrapeOf = (name: string) => parseExposition(readFileSync(new URL(`../../fixtures/collectors/serving/${name}`, import.meta.url), 'utf8'));
const target = (flavour: ServingTarget['flavour'], overrides: Partial<ServingTarget> = {}): ServingTarget => ({ url: 'http://x/metrics', flavour, ...overrides });
const summary = (name: string, t: ServingTarget) =>
  targetSeries(scrapeOf(name), t).map((s) => ({ model: s.model, version: s.version, endpoint: s.endpoint, namespace: s.namespace, count: s.count, errors: s.errors, sumMs: s.sumMs }));

describe('request series by flavour', () => {
  test('KServe queue-proxy: model from the InferenceService, endpoint the component, version the revision, 5xx series as errors (latencies already in ms)', () => {
    expect(summary('kserve-queue-proxy-2.prom', target('kserve'))).toEqual([
      { model: 'sklearn-iris', version: 'sklearn-iris-predictor-00002', endpoint: 'predictor', namespace: 'models', count: 142, errors: 0, sumMs: 2310.25 },
      { model: 'sklearn-iris', version: 'sklearn-iris-predictor-00002', endpoint: 'predictor', namespace: 'models', count: 3, errors: 3, sumMs: 372 },
    ]);
    expect(targetSeries(scrapeOf('kserve-queue-proxy-2.prom'), target('kserve'))[0]?.boundsMs.slice(0, 3)).toEqual([5, 10, 20]);
  });

  test('KServe model server: request_predict_seconds in ms, preprocess not counted as requests', () => {
    const series = targetSeries(scrapeOf('kserve-model-server-2.prom'), target('kserve', { namespace: 'models' }));
    expect(series.map((s) => [s.model, s.endpoint, s.namespace, s.count, s.sumMs])).toEqual([['sklearn-iris', 'predict', 'models', 35, 402]]);
    expect(series[0]?.boundsMs.slice(0, 3)).toEqual([5, 10, 25]);
  });

  test('Triton: count = successes + failures over every reason, errors = failures, duration µs → ms, no buckets', () => {
    expect(summary('triton-2.prom', target('triton'))).toEqual([
      { model: 'densenet_onnx', version: '1', endpoint: '', namespace: '', count: 1459, errors: 9, sumMs: 11_700 },
      { model: 'bert_qa', version: '2', endpoint: '', namespace: '', count: 50, errors: 0, sumMs: 2500 },
    ]);
  });

  test('vLLM: the e2e latency histogram in ms, per model_name', () => {
    const [series] = targetSeries(scrapeOf('vllm-2.prom'), target('vllm'));
    expect([series?.model, series?.count, series?.errors, series?.sumMs]).toEqual(['meta-llama/Llama-3.1-8B-Instruct', 40, 0, 42_500]);
    expect(series?.boundsMs.slice(0, 4)).toEqual([300, 500, 800, 1000]);
    expect(series?.boundsMs.at(-1)).toBe(Number.POSITIVE_INFINITY);
  });

  test('vLLM without the histogram: the finished-request counter gives the count', () => {
    const scrape = parseExposition('vllm:request_success_total{finished_reason="stop",model_name="m"} 7\nvllm:request_success_total{finished_reason="length",model_name="m"} 2\n');
    expect(targetSeries(scrape, target('vllm')).map((s) => [s.model, s.count, s.boundsMs])).toEqual([['m', 9, []]]);
  });

  test('generic: *_request_duration_seconds with model/version/handler labels; a 5xx status series counts as errors', () => {
    expect(summary('generic-2.prom', target('generic')).map((s) => [s.model, s.version, s.endpoint, s.count, s.errors])).toEqual([
      ['fraud-detector', '3', '/v1/predict', 175, 0],
      ['fraud-detector', '3', '/v1/predict', 6, 6],
    ]);
  });

  test('overrides replace the model and namespace; series with no model at all are left out', () => {
    expect(summary('vllm-2.prom', target('vllm', { model: 'llama-chat', namespace: 'llm' })).map((s) => [s.model, s.namespace])).toEqual([['llama-chat', 'llm']]);
    const anonymous = parseExposition('# TYPE http_request_duration_seconds histogram\nhttp_request_duration_seconds_bucket{le="+Inf"} 3\nhttp_request_duration_seconds_sum 1\nhttp_request_duration_seconds_count 3\n');
    expect(targetSeries(anonymous, target('generic'))).toEqual([]);
    expect(targetSeries(anonymous, target('generic', { model: 'm' })).map((s) => s.count)).toEqual([3]);
  });

  test('process_start_time_seconds is read when exposed', () => {
    expect(processStart(scrapeOf('vllm-3-restarted.prom'))).toBe(1764590400.75);
    expect(processStart(scrapeOf('triton-1.prom'))).toBeUndefined();
  });
});
