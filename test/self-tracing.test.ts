import { trace } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { post, testApp, type TestApp } from './support/test-app.js';
import { openTestStore, type TestStore } from './support/test-store.js';

/** mlwarden's own spans, captured with the OpenTelemetry SDK's in-memory exporter. */
const exporter = new tracing.InMemorySpanExporter();
let t: TestStore;
let h: TestApp;

beforeAll(async () => {
  trace.setGlobalTracerProvider(new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] }));
  t = await openTestStore();
  h = testApp(t);
});
afterAll(async () => {
  await h.close();
  await t.close();
  trace.disable();
});

test('an ingest request leaves an ingest span with the kind and a span for the INSERT that committed it', async () => {
  const response = await post(h.app, 'requests', [{ ts: '2026-11-24T10:00:00Z', model: 'm', status: 200, latency_ms: 3 }]);
  expect(response.status).toBe(200);
  const spans = exporter.getFinishedSpans();
  const ingest = spans.find((s) => s.name === 'mlwarden.ingest');
  const insert = spans.find((s) => s.name === 'mlwarden.ingest.insert');
  expect(ingest?.attributes['mlwarden.telemetry.kind']).toBe('requests');
  expect(insert?.attributes['mlwarden.rows']).toBe(1);
});

test('a rejected request marks its span as failed', async () => {
  exporter.reset();
  const response = await post(h.app, 'requests', [{ ts: 'yesterday', model: 'm', status: 200, latency_ms: 3 }]);
  expect(response.status).toBe(400);
  const ingest = exporter.getFinishedSpans().find((s) => s.name === 'mlwarden.ingest');
  expect(ingest?.status.code).toBe(2);
  expect(ingest?.events.map((e) => e.name)).toContain('exception');
});
