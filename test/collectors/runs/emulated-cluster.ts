import { KubeConfig, type V1Job } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { CollectorHealth } from '../../../collectors/collector-health.js';
import { RunCollector, type RunCollectorOptions } from '../../../collectors/runs/run-collector.js';
import type { RunRecord } from '../../../collectors/runs/run-record.js';
import type { TelemetryKind } from '../../../collectors/telemetry-sink.js';
import { GpuScheduler } from '../../../src/simulate/gpu-scheduler.js';
import { startKubeApiEmulator, type KubeApiEmulator } from '../../../src/simulate/index.js';

export const NS = 'ml';
export const T0 = Date.parse('2026-03-01T12:00:00Z');

/** An emulated cluster on a shared fake clock, a GPU scheduler driven by `at(seconds)`, and what the collector sent. */
export interface EmulatedCluster {
  emulator: KubeApiEmulator;
  kubeConfig: KubeConfig;
  scheduler: GpuScheduler;
  clock: { ms: number };
  at(seconds: number): void;
  sent: RunRecord[];
  registry: Registry;
  health: CollectorHealth;
  collector(options?: Partial<RunCollectorOptions>): RunCollector;
  close(): Promise<void>;
}

export async function emulatedCluster(gpus = 4): Promise<EmulatedCluster> {
  const clock = { ms: T0 };
  const emulator = await startKubeApiEmulator({ now: () => new Date(clock.ms) });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions(emulator.kubeConfig(NS));
  const scheduler = new GpuScheduler(emulator.store, { gpus, now: () => clock.ms });
  const sent: RunRecord[] = [];
  const registry = new Registry();
  const health = new CollectorHealth(registry);
  const collectors: RunCollector[] = [];
  // The sink contract itself: a function that accepts records.
  const sink = async (kind: TelemetryKind, records: ReadonlyArray<Record<string, unknown>>) => {
    if (kind === 'runs') sent.push(...(records as RunRecord[]));
  };
  return {
    emulator,
    kubeConfig,
    scheduler,
    clock,
    at(seconds) {
      clock.ms = T0 + seconds * 1000;
      scheduler.reconcile();
    },
    sent,
    registry,
    health,
    collector(options = {}) {
      const collector = new RunCollector({ kubeConfig, namespaces: [NS], sink, health, now: () => clock.ms, settleMs: 30, skipKinds: ['TFJob'], ...options });
      collectors.push(collector);
      return collector;
    },
    async close() {
      await Promise.all(collectors.map((c) => c.stop()));
      await emulator.close();
    },
  };
}

export function gpuJob(name: string, gpus: number, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, annotations, labels },
    spec: {
      backoffLimit: 4,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }] } },
    },
  };
}

export async function until(condition: () => boolean, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets in-flight events arrive, so a test can assert nothing more was sent. */
export const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

export const summary = (rows: readonly RunRecord[]) => rows.map((r) => `a${r.attempt} ${r.state}${r.reason === '' ? '' : ` ${r.reason}`}`);

export async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}
