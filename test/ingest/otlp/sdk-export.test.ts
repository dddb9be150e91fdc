import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadSloSpecs, type Slo } from '../../../src/domain/slo/index.js';
import { serveHttp, type RunningServer } from '../../../src/server/index.js';
import { windowCounts } from '../../../src/store/index.js';
import { INGEST_TOKEN, testApp, type TestApp } from '../../support/test-app.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';

/** The real OpenTelemetry JS SDK exports to a running mlwarden; what lands in ClickHouse is checked row by row. */
let t: TestStore;
let h: TestApp;
let server: RunningServer;
const auth = { authorization: `Bearer ${INGEST_TOKEN}` };

beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [] } });
  server = await serveHttp(h.app, '127.0.0.1', 0);
});
afterAll(async () => {
  await server.close();
  await h.close();
  await t.close();
});

const BOUNDS_S = [0.05, 0.1, 0.25, 0.5, 1];
/** Seconds; five of these eight are at or under 100 ms. */
const OK_LATENCIES = [0.02, 0.04, 0.08, 0.2, 0.3, 0.9];
const FAILED_LATENCIES = [0.06, 0.06];

function meterProvider(model: string, encoding: 'proto' | 'json', temporality: AggregationTemporalityPreference) {
  const options = { url: `${server.url}/otlp/v1/metrics`, headers: auth, temporalityPreference: temporality };
  const exporter = encoding === 'proto' ? new ProtoMetricExporter(options) : new JsonMetricExporter(options);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'scoring-api', 'mlwarden.model': model, 'service.version': 'v3', 'k8s.namespace.name': 'ml' }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  const histogram = provider.getMeter('scoring').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: BOUNDS_S } });
  const record = (latencies: number[], status: number) => {
    for (const s of latencies) histogram.record(s, { 'http.route': '/predict', 'http.request.method': 'POST', 'http.response.status_code': status });
  };
  return { provider, record };
}

async function requestTotals(model: string) {
  const [row] = await t.rows<{ rows: string; count: string; errors: string; sum_ms: number; endpoints: string[]; versions: string[]; namespaces: string[] }>(
    `SELECT count() AS rows, sum(count) AS count, sum(errors) AS errors, sum(latency_sum_ms) AS sum_ms,
            groupUniqArray(endpoint) AS endpoints, groupUniqArray(version) AS versions, groupUniqArray(namespace) AS namespaces
     FROM mlwarden.requests WHERE model = {model:String}`,
    { model },
  );
  return { rows: Number(row?.rows), count: Number(row?.count), errors: Number(row?.errors), sumMs: row?.sum_ms ?? 0, endpoints: row?.endpoints, versions: row?.versions, namespaces: row?.namespaces };
}

async function latencySli(model: string, thresholdMs: number, now: number) {
  const spec = `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: ${model}-latency }
spec:
  objective: 99
  window: 30d
  sli: { type: latency, model: ${model}, threshold_ms: ${thresholdMs} }
`;
  const slo = loadSloSpecs([{ name: 'inline.yaml', text: spec }], now)[0] as Slo;
  // Windows end at the last whole minute: evaluate two minutes on so the rows just written are inside.
  const end = Math.floor(now / 60_000) * 60_000 + 120_000;
  const [group] = await windowCounts(t.store.client, t.ctx.database, { sli: slo.sli, groupBy: [], starts: [end - 3_600_000], end });
  return group?.counts[0];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('OTLP metrics from the OpenTelemetry SDK become request batches', () => {
  test.each([
    ['proto', 'DELTA'],
    ['proto', 'CUMULATIVE'],
    ['json', 'DELTA'],
    ['json', 'CUMULATIVE'],
  ] as const)('a %s exporter with %s temporality: two flushes store every request once, errors from 5xx points, and the latency SLI counts them', async (encoding, temporality) => {
    const model = `fraud-${encoding}-${temporality.toLowerCase()}`;
    const { provider, record } = meterProvider(model, encoding, AggregationTemporalityPreference[temporality]);
    record(OK_LATENCIES.slice(0, 3), 200);
    record(FAILED_LATENCIES, 503);
    await provider.forceFlush();
    record(OK_LATENCIES.slice(3), 200);
    await provider.forceFlush();
    await provider.shutdown();

    const totals = await requestTotals(model);
    expect(totals.count).toBe(8);
    expect(totals.errors).toBe(2);
    expect(totals.sumMs).toBeCloseTo(sum([...OK_LATENCIES, ...FAILED_LATENCIES]) * 1000, 6);
    expect(totals.endpoints).toEqual(['/predict']);
    expect(totals.versions).toEqual(['v3']);
    expect(totals.namespaces).toEqual(['ml']);
    // First flush: a 200 point and a 503 point; second: only the 200 series moved (cumulative) or had data (delta).
    expect(totals.rows).toBe(3);
    expect(await latencySli(model, 100, Date.now())).toEqual({ good: 5, total: 8 });
  });
});

function tracerProvider(encoding: 'proto' | 'json') {
  const options = { url: `${server.url}/otlp/v1/traces`, headers: auth };
  const exporter = encoding === 'proto' ? new ProtoTraceExporter(options) : new JsonTraceExporter(options);
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'scoring-api', 'model.name': `churn-${encoding}`, 'model.version': 'v7' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

describe('OTLP traces from the OpenTelemetry SDK become raw requests and feature observations', () => {
  test.each(['proto', 'json'] as const)('%s: SERVER spans are requests with their latency and status, mlwarden.feature.* attributes are features, other spans are ignored', async (encoding) => {
    const provider = tracerProvider(encoding);
    const tracer = provider.getTracer('scoring');
    const t0 = Date.now() - 10_000;
    const serve = (offset: number, latencyMs: number, attributes: Record<string, string | number>, error = false) => {
      const span = tracer.startSpan('POST /predict', { kind: SpanKind.SERVER, startTime: t0 + offset, attributes: { 'http.route': '/predict', ...attributes } });
      if (error) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(t0 + offset + latencyMs);
    };
    serve(0, 42, { 'http.response.status_code': 200, 'mlwarden.feature.amount': 120.5, 'mlwarden.feature.country': 'DE', 'mlwarden.prediction': 0.93 });
    serve(100, 180, { 'http.status_code': 503 });
    serve(200, 30, {}, true);
    tracer.startSpan('feature lookup', { kind: SpanKind.CLIENT }).end();
    await provider.forceFlush();
    await provider.shutdown();

    const model = `churn-${encoding}`;
    const requests = await t.rows<{ ts: string; status: number; errors: string; latency_ms: number; version: string; endpoint: string }>(
      `SELECT toUnixTimestamp64Milli(ts) AS ts, status, errors, latency_ms, version, endpoint FROM mlwarden.requests WHERE model = {model:String} ORDER BY ts`,
      { model },
    );
    expect(requests.map((r) => [Number(r.ts) - t0, r.status, Number(r.errors), r.latency_ms, r.version, r.endpoint])).toEqual([
      [42, 200, 0, 42, 'v7', '/predict'],
      [280, 503, 1, 180, 'v7', '/predict'],
      [230, 0, 1, 30, 'v7', '/predict'],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)));
    const features = await t.rows<{ feature: string; value: number | null; category: string | null }>(
      `SELECT feature, value, category FROM mlwarden.feature_values WHERE model = {model:String} ORDER BY feature`,
      { model },
    );
    expect(features).toEqual([
      { feature: 'amount', value: 120.5, category: null },
      { feature: 'country', value: null, category: 'DE' },
      { feature: 'prediction', value: 0.93, category: null },
    ]);
    expect(await latencySli(model, 50, t0)).toEqual({ good: 2, total: 3 });
  });
});
