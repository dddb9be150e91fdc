import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CollectorHealth } from '../../../collectors/collector-health.js';
import { GpuCollector } from '../../../collectors/gpu/gpu-collector.js';
import type { TelemetryKind } from '../../../collectors/telemetry-sink.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { startMetricsServer, type MetricsServer } from '../serving/metrics-server.js';

const DCGM = readFileSync(new URL('../../fixtures/collectors/gpu/dcgm-exporter-a100-k8s.prom', import.meta.url), 'utf8');
const SMI = readFileSync(new URL('../../fixtures/collectors/gpu/nvidia-smi-noheader.csv', import.meta.url), 'utf8');
const NOW = Date.parse('2026-12-01T10:00:00Z');

/** A sink that keeps what it accepted, and refuses while `refusing` is set. */
function recordingSink() {
  const sent: Array<{ kind: TelemetryKind; records: ReadonlyArray<Record<string, unknown>> }> = [];
  const sink = { sent, refusing: false, send: async (kind: TelemetryKind, records: ReadonlyArray<Record<string, unknown>>) => {
    if (sink.refusing) throw new Error('ingest answered 503');
    sent.push({ kind, records });
  } };
  return sink;
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return found?.value ?? 0;
}

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('GpuCollector', () => {
  let server: MetricsServer;
  let registry: Registry;
  let health: CollectorHealth;
  let collector: GpuCollector | undefined;
  beforeEach(async () => {
    server = await startMetricsServer(DCGM);
    registry = new Registry();
    health = new CollectorHealth(registry);
  });
  afterEach(async () => {
    await collector?.stop();
    await server.close();
  });

  test('a poll scrapes dcgm-exporter over HTTP and sends valid gpu rows, recording its health', async () => {
    const sink = recordingSink();
    collector = new GpuCollector({ url: server.url, node: 'gpu-node-a', sink: sink.send, health, now: () => NOW });
    expect(await collector.collectOnce()).toBe(4);
    expect(sink.sent.map((s) => [s.kind, s.records.length])).toEqual([['gpu', 4]]);
    expect(validateRecords('gpu', [...(sink.sent[0]?.records ?? [])], NOW)).toHaveLength(4);
    expect(await metricValue(registry, 'mlwarden_collector_records_total', { collector: 'dcgm', kind: 'gpu' })).toBe(4);
    expect(await metricValue(registry, 'mlwarden_collector_last_success_timestamp_seconds', { collector: 'dcgm' })).toBe(NOW / 1000);
  });

  test('while the exporter fails the loop backs off and counts scrape errors; it returns to its interval once it works', async () => {
    server.answer = { status: 500, body: 'boom' };
    const sink = recordingSink();
    collector = new GpuCollector({ url: server.url, node: 'gpu-node-a', sink: sink.send, health, intervalMs: 20, random: () => 1 });
    collector.start();
    await eventually(() => (collector as GpuCollector).consecutiveFailures >= 3);
    const c = collector;
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'dcgm', reason: 'scrape' })).toBeGreaterThanOrEqual(3);
    await eventually(() => c.nextDelayMs > 20);
    expect(c.nextDelayMs).toBe(20 * 2 ** c.consecutiveFailures);
    expect(sink.sent).toEqual([]);
    server.answer = { status: 200, body: DCGM };
    await eventually(() => sink.sent.length > 0, 10_000);
    await eventually(() => c.nextDelayMs === 20);
    expect(c.consecutiveFailures).toBe(0);
  });

  test('an unparseable answer is a parse error', async () => {
    server.answer = { status: 200, body: 'DCGM_FI_DEV_GPU_UTIL{gpu="0" 1\n' };
    collector = new GpuCollector({ url: server.url, node: 'n', sink: recordingSink().send, health });
    await expect(collector.collectOnce()).rejects.toThrow(server.url);
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'dcgm', reason: 'parse' })).toBe(1);
  });

  test('rows the sink refused are sent with the next poll', async () => {
    const sink = recordingSink();
    sink.refusing = true;
    let now = NOW;
    collector = new GpuCollector({ url: server.url, node: 'gpu-node-a', sink: sink.send, health, now: () => now });
    await expect(collector.collectOnce()).rejects.toThrow(/503/);
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'dcgm', reason: 'send' })).toBe(1);
    sink.refusing = false;
    now += 15_000;
    expect(await collector.collectOnce()).toBe(8);
    expect([...new Set(sink.sent[0]?.records.map((r) => r.ts))]).toEqual([NOW, NOW + 15_000]);
  });

  test('reads nvidia-smi output through the given function, under the configured node', async () => {
    const sink = recordingSink();
    collector = new GpuCollector({ nvidiaSmi: async () => SMI, node: 'workstation-1', sink: sink.send, health, now: () => NOW });
    expect(await collector.collectOnce()).toBe(3);
    expect(sink.sent[0]?.records.map((r) => r.node)).toEqual(['workstation-1', 'workstation-1', 'workstation-1']);
    expect(await metricValue(registry, 'mlwarden_collector_records_total', { collector: 'nvidia-smi', kind: 'gpu' })).toBe(3);
  });

  test('nvidia-smi failing to run is a scrape error', async () => {
    collector = new GpuCollector({ nvidiaSmi: async () => { throw new Error('nvidia-smi: not found'); }, node: 'n', sink: recordingSink().send, health });
    await expect(collector.collectOnce()).rejects.toThrow('not found');
    expect(await metricValue(registry, 'mlwarden_collector_errors_total', { collector: 'nvidia-smi', reason: 'scrape' })).toBe(1);
  });

  test('bad configuration is refused at construction', () => {
    const base = { node: 'n', sink: recordingSink().send, health };
    expect(() => new GpuCollector({ ...base } as never)).toThrow(/url or an nvidiaSmi/);
    expect(() => new GpuCollector({ ...base, url: server.url, intervalMs: 0 })).toThrow(/intervalMs must be positive, got 0/);
  });
});
