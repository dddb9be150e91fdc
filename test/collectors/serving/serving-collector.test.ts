import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CollectorHealth } from '../../../collectors/collector-health.js';
import { ServingCollector } from '../../../collectors/serving/serving-collector.js';
import type { TelemetryKind } from '../../../collectors/telemetry-sink.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/collectors/serving/${name}`, import.meta.url), 'utf8');
const T0 = Date.parse('2026-12-01T10:00:00Z');

function recordingSink() {
  const sent: Array<Record<string, unknown>> = [];
  const kinds: TelemetryKind[] = [];
  const sink = { sent, kinds, refusing: false, send: async (kind: TelemetryKind, records: ReadonlyArray<Record<string, unknown>>) => {
    if (sink.refusing) throw new Error('ingest answered 503');
    kinds.push(kind);
    sent.push(...records);
  } };
  return sink;
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
}

async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const counted = (records: ReadonlyArray<Record<string, unknown>>, model: string) => records.filter((r) => r.model === model).reduce((n, r) => n + (r.count as number), 0);
const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';

describe('ServingCollector against real /metrics endpoints', () => {
  let vllm: MetricsServer;
  let triton: MetricsServer;
  let registry: Registry;
  let health: CollectorHealth;
  let collector: ServingCollector | undefined;
  let now = T0;
  beforeEach(async () => {
    vllm = await startMetricsServer(fixture('vllm-1.prom'));
    triton = await startMetricsServer(fixture('triton-1.prom'));
    registry = new Registry();
    health = new CollectorHealth(registry);
    now = T0;
  });
  afterEach(async () => {
    await collector?.stop();
    await Promise.all([vllm.close(), triton.close()]);
  });

  const make = (sink: ReturnType<typeof recordingSink>, extra: { intervalMs?: number; random?: () => number } = {}) =>
    new ServingCollector({ targets: [{ url: vllm.url, flavour: 'vllm', namespace: 'llm' }, { url: triton.url, flavour: 'triton', namespace: 'vision' }], sink: sink.send, health, now: () => now, ...extra });

  test('the first cycle sets baselines; the next sends the requests in between as valid batches', async () => {
    const sink = recordingSink();
    collector = make(sink);
    expect(await collector.collectOnce()).toBe(0);
    vllm.answer = { status: 200, body: fixture('vllm-2.prom') };
    triton.answer = { status: 200, body: fixture('triton-2.prom') };
    now += 30_000;
    expect(await collector.collectOnce()).toBe(2);
    expect(sink.kinds).toEqual(['requests']);
    expect(sink.sent.map((r) => [r.model, r.namespace, r.count, r.errors])).toEqual([[LLAMA, 'llm', 22, 0], ['densenet_onnx', 'vision', 255, 5]]);
    expect(validateRecords('requests', sink.sent, now)).toHaveLength(2);
    expect(await metricValue(registry, 'mlwarden_collector_records_total', { collector: 'serving', kind: 'requests' })).toBe(2);
  });

  test('a target failing for a cycle is counted as a scrape error; its next scrape covers the gap once', async () => {
    const sink = recordingSink();
    collector = make(sink);
    await collector.collectOnce();
    vllm.answer = { status: 500, body: 'engine dead' };
    triton.answer = { status: 200, body: fixture('triton-2.prom') };
    expect(await collector.collectOnce()).toBe(1);
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'serving', reason: 'scrape' })).toBe(1);
    vllm.answer = { status: 200, body: fixture('vllm-2.prom') };
    await collector.collectOnce();
    await collector.collectOnce();
    expect(counted(sink.sent, LLAMA)).toBe(22);
    expect(counted(sink.sent, 'densenet_onnx')).toBe(255);
  });

  test('a restarted server counts from its new values, never negative', async () => {
    const sink = recordingSink();
    collector = make(sink);
    await collector.collectOnce();
    vllm.answer = { status: 200, body: fixture('vllm-2.prom') };
    await collector.collectOnce();
    vllm.answer = { status: 200, body: fixture('vllm-3-restarted.prom') };
    await collector.collectOnce();
    expect(sink.sent.filter((r) => r.model === LLAMA).map((r) => r.count)).toEqual([22, 4]);
  });

  test('batches the sink refused are resent with the next cycle, not lost and not counted twice', async () => {
    const sink = recordingSink();
    collector = make(sink);
    await collector.collectOnce();
    vllm.answer = { status: 200, body: fixture('vllm-2.prom') };
    sink.refusing = true;
    await expect(collector.collectOnce()).rejects.toThrow(/sending 1 request batches failed/);
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'serving', reason: 'send' })).toBe(1);
    sink.refusing = false;
    expect(await collector.collectOnce()).toBe(1);
    await collector.collectOnce();
    expect(counted(sink.sent, LLAMA)).toBe(22);
  });

  test('when every target fails the loop backs off, and returns to its interval once they answer', async () => {
    vllm.answer = { status: 503, body: '' };
    triton.answer = { status: 200, body: 'nv_inference_request_success{model="a" 1\n' };
    const sink = recordingSink();
    collector = make(sink, { intervalMs: 20, random: () => 1 });
    collector.start();
    const c = collector;
    await eventually(() => c.consecutiveFailures >= 2 && c.nextDelayMs > 20);
    expect(c.nextDelayMs).toBe(20 * 2 ** c.consecutiveFailures);
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'serving', reason: 'scrape' })).toBeGreaterThanOrEqual(2);
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'serving', reason: 'parse' })).toBeGreaterThanOrEqual(2);
    vllm.answer = { status: 200, body: fixture('vllm-1.prom') };
    await eventually(() => c.consecutiveFailures === 0 && c.nextDelayMs === 20, 10_000);
  });

  test('bad configuration is refused at construction, naming the value', () => {
    const sink = recordingSink();
    expect(() => new ServingCollector({ targets: [], sink: sink.send, health })).toThrow(/at least one target/);
    expect(() => new ServingCollector({ targets: [{ url: 'http://m/metrics', flavour: 'torchserve' as never }], sink: sink.send, health })).toThrow(/flavour "torchserve"/);
  });
});
