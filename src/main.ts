import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config.js';
import { ingestMetrics, TelemetryIngest } from './ingest/index.js';
import { authenticator, createApp, serveHttp, type Readiness } from './server/index.js';
import { migrate, openStore, schemaIsCurrent, telemetryInserter, telemetrySummary, type DdlContext, type MigrationReport, type StoreClient, type StoreConfig } from './store/index.js';

/** The composition root: the only place adapters are chosen and wired together. */

export function storeConfig(config: Config): StoreConfig {
  const s = config.store;
  return {
    dataDir: s.data_dir,
    url: s.url,
    user: s.user,
    password: s.password,
    database: s.database,
    cluster: s.cluster,
    retentionDays: s.retention_days,
    requestTimeoutMs: s.request_timeout_ms,
    tls: s.tls ? { caFile: s.tls.ca_file, certFile: s.tls.cert_file, keyFile: s.tls.key_file } : undefined,
  };
}

export function ddlContext(config: Config): DdlContext {
  return { database: config.store.database, cluster: config.store.cluster, retentionDays: config.store.retention_days };
}

export async function runMigrations(config: Config): Promise<MigrationReport> {
  const store = await openStore(storeConfig(config));
  try {
    return await migrate(store.client, ddlContext(config));
  } finally {
    await store.close();
  }
}

async function checkReadiness(store: StoreClient, ctx: DdlContext): Promise<Readiness> {
  try {
    const ping = await store.client.ping();
    if (!ping.success) return { ready: false, checks: { clickhouse: `unreachable: ${ping.error.message}`, migrations: 'unknown' } };
    const current = await schemaIsCurrent(store.client, ctx);
    return { ready: current, checks: { clickhouse: 'ok', migrations: current ? 'ok' : 'pending' } };
  } catch (error) {
    return { ready: false, checks: { clickhouse: `error: ${(error as Error).message}` } };
  }
}

export interface RunningMlwarden {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Opens the store, applies migrations, and serves the API until close() (which flushes accepted data). */
export async function startServer(config: Config, logger: Logger): Promise<RunningMlwarden> {
  const store = await openStore(storeConfig(config));
  const ctx = ddlContext(config);
  const report = await migrate(store.client, ctx);
  logger.info({ mode: store.mode, applied: report.applied, schema: report.current }, 'store ready');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mlwarden_' });
  const now = () => Date.now();
  const ingest = new TelemetryIngest({
    inserter: telemetryInserter(store.client, ctx.database),
    options: {
      maxBatchRows: config.ingest.max_batch_rows,
      flushIntervalMs: config.ingest.flush_interval_ms,
      maxPendingRows: config.ingest.max_pending_rows,
      retryAfterSeconds: config.ingest.retry_after_seconds,
    },
    now,
    logger,
    metrics: (pending) => ingestMetrics(registry, pending),
  });
  const auth = authenticator({ ingestTokens: config.auth.ingest_tokens, adminTokens: config.auth.admin_tokens });
  if (!auth.enabled) logger.warn('no ingest or admin tokens configured: the API accepts unauthenticated requests');

  const app = createApp({
    ingest,
    auth,
    registry,
    logger,
    now,
    bodyLimitBytes: config.server.body_limit_bytes,
    readiness: () => checkReadiness(store, ctx),
    summary: (q) => telemetrySummary(store.client, ctx.database, q),
  });
  const server = await serveHttp(app, config.server.host, config.server.port);
  logger.info({ url: server.url, port: server.port }, 'mlwarden listening');

  return {
    url: server.url,
    port: server.port,
    async close() {
      await server.close();
      await ingest.close();
      await store.close();
      logger.info('mlwarden stopped');
    },
  };
}
