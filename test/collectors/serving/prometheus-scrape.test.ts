import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseExposition, PROMETHEUS_TEXT_ACCEPT, ScrapeError, scrapeMetrics } from '../../../collectors/prometheus-scrape.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/collectors/serving/${name}`, import.meta.url), 'utf8');

describe('parseExposition', () => {
  test('keeps every labelled series of a histogram apart, with its buckets, sum and count', () => {
    const scrape = parseExposition(fixture('kserve-queue-proxy-2.prom'));
    const series = scrape.histograms.get('revision_app_request_latencies') ?? [];
    expect(series.map((s) => [s.labels.response_code, s.count, s.sum])).toEqual([['200', 142, 2310.25], ['503', 3, 372]]);
    expect(series[0]?.labels).not.toHaveProperty('le');
    expect(series[0]?.buckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 142 });
    expect(scrape.samples.has('revision_app_request_latencies_bucket')).toBe(false);
  });

  test('reads vLLM ordering (_sum first, le first, float values) and metric names with colons', () => {
    const [series] = parseExposition(fixture('vllm-2.prom')).histograms.get('vllm:e2e_request_latency_seconds') ?? [];
    expect(series?.labels).toEqual({ engine: '0', model_name: 'meta-llama/Llama-3.1-8B-Instruct' });
    expect(series?.buckets.slice(0, 3)).toEqual([{ le: 0.3, count: 5 }, { le: 0.5, count: 5 }, { le: 0.8, count: 26 }]);
    expect([series?.sum, series?.count]).toEqual([42.5, 40]);
  });

  test('counters and gauges come back by sample name with their labels', () => {
    const scrape = parseExposition(fixture('triton-2.prom'));
    expect(scrape.samples.get('nv_inference_request_failure')?.filter((s) => s.labels.model === 'densenet_onnx').map((s) => [s.labels.reason, s.value])).toEqual([
      ['REJECTED', 2], ['CANCELED', 0], ['BACKEND', 7], ['OTHER', 0],
    ]);
  });

  test('summary quantiles keep their labels as plain samples', () => {
    const scrape = parseExposition('# TYPE rpc_seconds summary\nrpc_seconds{svc="a",quantile="0.5"} 1\nrpc_seconds{svc="b",quantile="0.5"} 2\nrpc_seconds_count{svc="a"} 3\n');
    expect(scrape.samples.get('rpc_seconds')?.map((s) => [s.labels.svc, s.value])).toEqual([['a', 1], ['b', 2]]);
    expect(scrape.samples.get('rpc_seconds_count')).toEqual([{ labels: { svc: 'a' }, value: 3 }]);
  });

  test('CRLF line endings are read like LF', () => {
    const scrape = parseExposition('# TYPE h_seconds histogram\r\nh_seconds_bucket{m="x",le="+Inf"} 2\r\nh_seconds_sum{m="x"} 1\r\nh_seconds_count{m="x"} 2\r\n');
    expect(scrape.histograms.get('h_seconds')).toEqual([{ labels: { m: 'x' }, buckets: [{ le: Number.POSITIVE_INFINITY, count: 2 }], sum: 1, count: 2 }]);
  });

  test('the last sample counts even without a trailing newline', () => {
    expect(parseExposition('a 1\nb{x="y"} 2').samples.get('b')).toEqual([{ labels: { x: 'y' }, value: 2 }]);
  });

  test('+Inf, -Inf and NaN values are numbers', () => {
    const scrape = parseExposition('a +Inf\nb -Inf\nc NaN\n');
    expect([scrape.samples.get('a')?.[0]?.value, scrape.samples.get('b')?.[0]?.value, scrape.samples.get('c')?.[0]?.value]).toEqual([Infinity, -Infinity, Number.NaN]);
  });
});

describe('scrapeMetrics against a real endpoint', () => {
  let server: MetricsServer;
  beforeAll(async () => {
    server = await startMetricsServer(fixture('triton-1.prom'));
  });
  afterAll(() => server.close());

  test('asks for the text format and returns the parsed families', async () => {
    const scrape = await scrapeMetrics(server.url);
    expect(scrape.samples.get('nv_inference_request_success')?.[0]?.value).toBe(1200);
    expect(server.accepts.at(-1)).toBe(PROMETHEUS_TEXT_ACCEPT);
  });

  test.each([
    ['an HTTP error', { status: 503, body: 'down' }, 'status', /HTTP 503/],
    ['a slow answer', { status: 200, body: 'a 1\n', delayMs: 500 }, 'timeout', /no answer within 100 ms/],
    ['an unparseable body', { status: 200, body: 'a{b="c" 1\n' }, 'parse', /invalid line/i],
  ])('%s fails with a ScrapeError naming the URL and the reason', async (_name, answer, reason, detail) => {
    server.answer = answer;
    const error = await scrapeMetrics(server.url, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScrapeError);
    expect((error as ScrapeError).reason).toBe(reason);
    expect((error as ScrapeError).message).toContain(server.url);
    expect((error as ScrapeError).message).toMatch(detail);
  });

  test('an unreachable endpoint fails as unreachable, naming the URL', async () => {
    const url = 'http://127.0.0.1:1/metrics';
    await expect(scrapeMetrics(url, { timeoutMs: 1000 })).rejects.toMatchObject({ reason: 'unreachable', message: expect.stringContaining(url) });
  });
});
