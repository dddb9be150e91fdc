import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OTLP_TYPES } from '../../../src/ingest/index.js';
import { INGEST_TOKEN, testApp, type TestApp } from '../../support/test-app.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';
import { DELTA, histogramExport, nanos, postOtlp } from './otlp-requests.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const LIMIT = 64 * 1024;
const tokens = { ingestTokens: [INGEST_TOKEN], adminTokens: [] };
const auth = { authorization: `Bearer ${INGEST_TOKEN}` };
const PROTOBUF = { 'content-type': 'application/x-protobuf', ...auth };

let t: TestStore;
let h: TestApp;

beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => NOW, tokens, bodyLimitBytes: LIMIT });
});
afterAll(async () => {
  await h.close();
  await t.close();
});

async function storedRows(): Promise<number> {
  const [row] = await t.rows<{ n: string }>('SELECT (SELECT count() FROM mlwarden.requests) + (SELECT count() FROM mlwarden.feature_values) AS n');
  return Number(row?.n);
}

const onePoint = (model: string, buckets = [1, 1, 0]) => histogramExport(model, DELTA, [{ start: NOW - 120_000, time: NOW - 60_000, buckets }]);
const protobufOf = (body: unknown) => OTLP_TYPES.metricsRequest.encode(OTLP_TYPES.metricsRequest.fromObject(body as Record<string, unknown>)).finish();

describe('OTLP requests that are refused write nothing', () => {
  test.each([
    ['garbage protobuf is a 400 naming the decoder error', 'metrics', Buffer.from('\x0a\xff\xff\xff\xff\x0f garbage'), PROTOBUF, 400, /not a valid OTLP ExportMetricsServiceRequest \(protobuf\): .+/],
    ['protobuf traces cut off mid-message are a 400', 'traces', Buffer.from([0x0a, 0x20, 0x0a]), PROTOBUF, 400, /not a valid OTLP ExportTraceServiceRequest \(protobuf\): index out of range/],
    ['JSON that does not parse is a 400', 'metrics', '{"resourceMetrics": [', auth, 400, /\(json\): .*JSON/],
    ['JSON of the wrong shape is a 400 naming the field', 'metrics', '{"resourceMetrics": "all of them"}', auth, 400, /resourceMetrics: array expected/],
    ['a JSON array instead of an export request is a 400', 'traces', '[]', auth, 400, /a JSON object is expected/],
    ['another content type is a 415 listing the accepted ones', 'metrics', 'a,b', { 'content-type': 'text/csv', ...auth }, 415, /application\/x-protobuf or application\/json/],
    ['another content encoding is a 415', 'metrics', JSON.stringify(onePoint('m')), { 'content-encoding': 'br', ...auth }, 415, /Content-Encoding "br"/],
    ['gzip that does not inflate is a 400', 'metrics', 'not gzip', { 'content-encoding': 'gzip', ...auth }, 400, /not valid gzip/],
    ['no token when tokens are configured is a 401', 'metrics', JSON.stringify(onePoint('m')), {}, 401, /Bearer/],
    ['a body over the limit is a 413', 'metrics', JSON.stringify({ pad: 'x'.repeat(LIMIT) }), auth, 413, /exceeds 65536 bytes/],
    ['a gzip body that inflates past the limit is a 413', 'metrics', gzipSync(JSON.stringify({ pad: ' '.repeat(4 * LIMIT) })), { 'content-encoding': 'gzip', ...auth }, 413, /decompressed request body exceeds/],
  ] as const)('%s', async (_, signal, body, headers, status, detail) => {
    const before = await storedRows();
    const response = await postOtlp(h.app, signal, body, headers);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    expect(await storedRows()).toBe(before);
  });

  test('an overloaded ingest queue answers 429 with Retry-After, which OTLP exporters retry', async () => {
    const full = testApp(t, { now: () => NOW, ingest: { maxPendingRows: 0, retryAfterSeconds: 7 } });
    try {
      const response = await postOtlp(full.app, 'metrics', onePoint('m-overloaded'));
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
    } finally {
      await full.close();
    }
  });
});

describe('OTLP responses', () => {
  test('a fully accepted JSON export answers 200 with an empty ExportMetricsServiceResponse', async () => {
    const response = await postOtlp(h.app, 'metrics', onePoint('m-json'), auth);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({});
  });

  test('a gzipped protobuf export is accepted and answered in protobuf', async () => {
    const response = await postOtlp(h.app, 'metrics', gzipSync(protobufOf(onePoint('m-gzip'))), { 'content-encoding': 'gzip', ...PROTOBUF });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(new Uint8Array(await response.arrayBuffer()).length).toBe(0);
    const [row] = await t.rows<{ count: string }>("SELECT sum(count) AS count FROM mlwarden.requests WHERE model = 'm-gzip'");
    expect(Number(row?.count)).toBe(2);
  });

  test('a point that cannot be stored is rejected alone: partialSuccess counts it and says why, in the request encoding', async () => {
    const body = histogramExport('m-partial', DELTA, [
      { start: NOW - 120_000, time: NOW - 60_000, buckets: [2, 0, 1] },
      { start: NOW - 120_000, time: NOW - 60_000, buckets: [1, 1], status: 503 },
      { start: NOW - 120_000, time: NOW + 48 * 3_600_000, buckets: [1, 0, 0], status: 500 },
    ]);
    const response = await postOtlp(h.app, 'metrics', protobufOf(body), PROTOBUF);
    expect(response.status).toBe(200);
    const decoded = OTLP_TYPES.metricsResponse.toObject(OTLP_TYPES.metricsResponse.decode(new Uint8Array(await response.arrayBuffer())), { longs: Number });
    expect(decoded).toEqual({
      partialSuccess: {
        rejectedDataPoints: 2,
        errorMessage: '2 data points rejected: http.server.request.duration point 1: has 2 bucket counts for 2 explicit bounds (expected bounds + 1); http.server.request.duration point 2: requests ts is more than 24h in the future',
      },
    });
    const [row] = await t.rows<{ count: string; errors: string }>("SELECT sum(count) AS count, sum(errors) AS errors FROM mlwarden.requests WHERE model = 'm-partial'");
    expect([Number(row?.count), Number(row?.errors)]).toEqual([3, 0]);
  });

  test('metrics other than request duration are ignored, not rejected', async () => {
    const before = await storedRows();
    const response = await postOtlp(h.app, 'metrics', histogramExport('m-other', DELTA, [{ start: NOW - 120_000, time: NOW - 60_000, buckets: [1, 0, 0] }], { name: 'db.client.operation.duration' }), auth);
    expect(await response.json()).toEqual({});
    expect(await storedRows()).toBe(before);
  });

  test('a duration in an unknown unit is rejected with the unit named', async () => {
    const response = await postOtlp(h.app, 'metrics', histogramExport('m-unit', DELTA, [{ start: NOW - 120_000, time: NOW - 60_000, buckets: [1, 0, 0] }], { unit: 'us' }), auth);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: '1 data points rejected: http.server.request.duration point 0: unit "us" is not s or ms' } });
  });

  test('a span that cannot be stored is rejected alone, with rejectedSpans; enum names and hex ids in OTLP/JSON are accepted', async () => {
    const span = (name: string, startMs: number, endMs: number) => ({
      traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name, kind: 'SPAN_KIND_SERVER',
      startTimeUnixNano: nanos(startMs), endTimeUnixNano: nanos(endMs),
      attributes: [{ key: 'http.response.status_code', value: { intValue: '200' } }],
    });
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc-spans' } }] }, scopeSpans: [{ spans: [span('ok', NOW - 5000, NOW - 4000), span('backwards', NOW - 3000, NOW - 4000)] }] }] };
    const response = await postOtlp(h.app, 'traces', body, auth);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: '1 spans rejected: span "backwards": requests latency_ms Too small: expected number to be >=0' } });
    const rows = await t.rows<{ latency_ms: number }>("SELECT latency_ms FROM mlwarden.requests WHERE model = 'svc-spans'");
    expect(rows).toEqual([{ latency_ms: 1000 }]);
  });
});
