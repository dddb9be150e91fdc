import { pino } from 'pino';
import { Registry } from 'prom-client';
import { CollectorHealth } from '../../collectors/index.js';
import { DriftMetrics, PlatformMetrics, SloMetrics } from '../../src/analysis/index.js';
import { PolicyMetrics } from '../../src/orchestration/index.js';
import { PlatformFigures } from '../../src/store/index.js';
import { testApp } from '../support/test-app.js';
import type { TestStore } from '../support/test-store.js';

const typeLines = (text: string): string[] => [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1] as string);

/**
 * Every metric name mlwarden exports: the real app's /metrics, plus the components main.ts registers
 * only when they run (SLO, drift, policy and platform metrics, collector health).
 */
export async function exportedMetricNames(t: TestStore): Promise<Set<string>> {
  const { app, close } = testApp(t);
  const served = await (await app.request('/metrics')).text();
  await close();
  const registry = new Registry();
  new SloMetrics(registry);
  new DriftMetrics(registry);
  new PolicyMetrics(registry, () => 0);
  new CollectorHealth(registry);
  new PlatformMetrics(registry, new PlatformFigures(t.store.client, t.ctx.database), { default_usd_per_hour: 1, by_gpu_model: {} }, pino({ level: 'silent' }));
  return new Set([...typeLines(served), ...typeLines(await registry.metrics())]);
}

/** A histogram's or summary's series count as the metric itself. */
export const baseMetric = (name: string): string => name.replace(/_(bucket|sum|count)$/, '');
