import type { Hono } from 'hono';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ingestMetrics, TelemetryIngest, type IngestOptions } from '../../src/ingest/index.js';
import { authenticator, createApp, type TokenConfig } from '../../src/server/index.js';
import { ActionLog, AlertHistory, BaselineStore, latencyCoverage, profileFeatures, WindowBinner, schemaIsCurrent, SilenceStore, telemetryInserter, telemetrySummary, type TelemetryInserter } from '../../src/store/index.js';
import type { ActionApprover, DriftRoutesDeps, SloRoutesDeps } from '../../src/server/index.js';
import { baselinesFromServing } from '../../src/analysis/index.js';
import type { TestStore } from './test-store.js';

export const INGEST_TOKEN = 'ingest-token-0123456789abcdef';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef01';

export interface TestApp {
  app: Hono;
  ingest: TelemetryIngest;
  registry: Registry;
  close(): Promise<void>;
}

/** The real app over a real store, wired like main.ts but without a socket (drive it with app.request). */
export function testApp(
  t: TestStore,
  options: { tokens?: TokenConfig; ingest?: Partial<IngestOptions>; inserter?: TelemetryInserter; now?: () => number; bodyLimitBytes?: number; slo?: Partial<Omit<SloRoutesDeps, 'auth'>>; drift?: Partial<Omit<DriftRoutesDeps, 'auth' | 'now'>>; approver?: ActionApprover } = {},
): TestApp {
  const registry = new Registry();
  const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const now = options.now ?? (() => Date.now());
  const ingest = new TelemetryIngest({
    inserter: options.inserter ?? telemetryInserter(t.store.client, t.ctx.database),
    options: { maxBatchRows: 10_000, flushIntervalMs: 5, maxPendingRows: 100_000, maxInflightBytes: 64 * 1024 * 1024, retryAfterSeconds: 1, ...options.ingest },
    now,
    logger,
    metrics: (pending) => ingestMetrics(registry, pending),
  });
  const app = createApp({
    ingest,
    auth: authenticator(options.tokens ?? { ingestTokens: [], adminTokens: [] }),
    registry,
    logger,
    now,
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    readiness: async () => {
      const current = await schemaIsCurrent(t.store.client, t.ctx);
      return { ready: current, checks: { clickhouse: 'ok', migrations: current ? 'ok' : 'pending' } };
    },
    summary: (q) => telemetrySummary(t.store.client, t.ctx.database, q),
    slo: {
      slos: () => [],
      latest: () => undefined,
      lastError: () => undefined,
      alerts: () => [],
      history: (name) => new AlertHistory(t.store.client, t.ctx.database).forSlo(name, 100),
      latencyCoverage: async (slo) => (slo.sli.type === 'latency' ? latencyCoverage(t.store.client, t.ctx.database, slo.sli, 0, now() + 1) : undefined),
      ...options.slo,
    },
    silences: new SilenceStore(t.store.client, t.ctx.database),
    drift: {
      latest: () => undefined,
      models: () => [],
      saveBaselines: (entries) => new BaselineStore(t.store.client, t.ctx.database).save(entries),
      fromServing: (q) => baselinesFromServing({ profile: (p) => profileFeatures(t.store.client, t.ctx.database, p), readBins: (b) => new WindowBinner(t.store.client, t.ctx.database).bins(b) }, q),
      maxBodyBytes: 1024 * 1024,
      ...options.drift,
    },
    actions: { actions: new ActionLog(t.store.client, t.ctx.database), approver: options.approver },
  });
  return { app, ingest, registry, close: () => ingest.close() };
}

export function post(app: Hono, kind: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return Promise.resolve(app.request(`/v1/telemetry/${kind}`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } }));
}
