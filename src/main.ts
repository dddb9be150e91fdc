import { destination, pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AlertDelivery, AlertEngine, AlertmanagerNotifier, WebhookNotifier, type AlertNotification, type Notifier } from './alerting/index.js';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { CollectorHealth, GpuCollector, httpSink, NVIDIA_SMI_ARGS, RunCollector, ServingCollector, type TelemetrySink } from '../collectors/index.js';
import {
  baselinesFromServing, calendarBudgets, runBacktest, storedVerdicts, driftEpisodeSignal, DriftLoop, DriftMetrics, evaluateSlos, loadSloFiles, PlatformMetrics, readSpecFiles, SloEvaluationLoop, SloMetrics, sloRecoveryOf,
  type DriftSettings,
} from './analysis/index.js';
import { loadConfig, type Config } from './config.js';
import { compareWithActions, loadPolicySpecs, type BacktestComparison, type BacktestReport, type UtilizationMinute } from './domain/policy/index.js';
import { isStoreSli, type Slo } from './domain/slo/index.js';
import { loadKubeConfig, readGpuPool, startPolicyRuntime, type FiringAlert, type KubeSource, type PolicyInputs, type PolicyRuntime } from './orchestration/index.js';
import {
  DemoStory, DeploymentController, FleetCluster, FleetSimulator, GpuScheduler, InferenceServiceController, readScenario, registerBaselines, SimClock, startKubeApiEmulator,
  type AlertChange, type Scenario, type StoryStream,
} from './simulate/index.js';
import { ingestMetrics, TelemetryIngest } from './ingest/index.js';
import { authenticator, createApp, metricsRoutes, serveHttp, sloView, type AlertView, type GpuPoolView, type Readiness } from './server/index.js';
import {
  ActionLog, AlertHistory, BaselineStore, gpuUtilizationByJob, scoredWindowsBetween, type JobUtilizationMinute, latencyCoverage, migrate, openStore, profileFeatures, WindowBinner, writeDriftScores, PlatformFigures, schemaIsCurrent, SilenceStore, telemetryInserter, telemetrySummary,
  windowCountsBatch, type ActionEntry, type DdlContext, type MigrationReport, type StoreClient, type StoreConfig,
} from './store/index.js';

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

/** `mlwarden backtest`: replays the stored signals between `from` and `to` through policies in dry run. */
export async function backtestPolicies(config: Config, policyFiles: readonly string[], from: number, to: number, gpuCapacity?: number): Promise<{ report: BacktestReport; comparison: BacktestComparison }> {
  const policies = loadPolicySpecs(readSpecFiles(policyFiles));
  const store = await openStore(storeConfig(config));
  try {
    const sloModels = Object.fromEntries(loadSloFiles(config.slo.files, to).map((s) => [s.name, modelOf(s, {})]));
    const d = driftSettings(config);
    const report = await runBacktest({ store, database: config.store.database, policies, from, to, sloModels, drift: { windowMs: d.windowMs, lookbackWindows: d.lookbackWindows, episodes: d.episodes }, ...(gpuCapacity !== undefined ? { gpuCapacity } : {}) });
    const live = await new ActionLog(store.client, config.store.database).list({ since: from });
    return { report, comparison: compareWithActions(report, live.filter((a) => a.created_at <= to)) };
  } finally {
    await store.close();
  }
}

export async function checkReadiness(store: StoreClient, ctx: DdlContext): Promise<Readiness> {
  try {
    const ping = await store.client.ping({ select: true }); // a SELECT checks credentials; /ping does not
    if (!ping.success) return { ready: false, checks: { clickhouse: `unreachable: ${ping.error.message}`, migrations: 'unknown' } };
    const current = await schemaIsCurrent(store.client, ctx);
    return { ready: current, checks: { clickhouse: 'ok', migrations: current ? 'ok' : 'pending' } };
  } catch (error) {
    return { ready: false, checks: { clickhouse: `error: ${(error as Error).message}` } };
  }
}

/** Alertmanager and webhook receivers, each with its own resend bookkeeping; silences apply to all. */
function alertDelivery(config: Config, silences: SilenceStore, now: () => number, logger: Logger): (n: AlertNotification[], at: number) => Promise<void> {
  const resendIntervalMs = config.alerting.resend_interval_s * 1000;
  const notifiers: Notifier[] = [];
  if (config.alerting.alertmanager_urls.length > 0) notifiers.push(new AlertmanagerNotifier({ urls: config.alerting.alertmanager_urls, resendIntervalMs }));
  for (const url of config.alerting.webhook_urls) {
    notifiers.push(new WebhookNotifier({ url, secret: config.alerting.webhook_secret, onRetry: (e) => logger.warn({ url: e.url, attempt: e.attempt, delayMs: e.delayMs, error: e.error.message }, 'webhook delivery retry') }));
  }
  if (notifiers.length === 0) logger.warn('no alertmanager_urls or webhook_urls configured: SLO alerts are evaluated and shown, not delivered');
  const delivery = new AlertDelivery({
    notifiers,
    resend: { resendIntervalMs },
    silences: async () => (await silences.list({ activeAt: now() })).map((s) => ({ matchers: s.matchers, startsAt: s.starts_at, endsAt: s.ends_at })),
    logger,
  });
  return delivery.deliver;
}

/** Cost, MTTR and run-duration figures on /metrics, refreshed every minute. */
function startPlatformMetrics(config: Config, store: StoreClient, registry: Registry, logger: Logger, now: () => number): () => void {
  const metrics = new PlatformMetrics(registry, new PlatformFigures(store.client, config.store.database), {
    default_usd_per_hour: config.costs.default_gpu_hour_usd,
    by_gpu_model: config.costs.gpu_hour_usd,
  }, logger);
  void metrics.refresh(now());
  const timer = setInterval(() => void metrics.refresh(now()), 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

function driftSettings(config: Config): DriftSettings {
  const d = config.drift;
  return {
    windowMs: d.window_s * 1000,
    lookbackWindows: d.lookback_windows,
    policy: { minSampleSize: d.min_sample_size, moderate: d.moderate_psi, significant: d.significant_psi, alpha: d.alpha },
    episodes: { openAfter: d.open_after, closeAfter: d.close_after },
  };
}

/** Drift scoring of every model with a baseline: PSI per feature and window, episodes, drift_scores rows. */
function startDrift(config: Config, store: StoreClient, registry: Registry, logger: Logger, now: () => number): { loop: DriftLoop; baselines: BaselineStore; binner: WindowBinner } {
  const baselines = new BaselineStore(store.client, config.store.database);
  const binner = new WindowBinner(store.client, config.store.database);
  const loop = new DriftLoop({
    baselines: () => baselines.list(),
    readBins: (q) => binner.bins(q),
    writeScores: (rows) => writeDriftScores(store.client, config.store.database, rows),
    readEarlierVerdicts: storedVerdicts((model, from, to) => scoredWindowsBetween(store.client, config.store.database, from, to, model)),
    metrics: new DriftMetrics(registry),
    settings: driftSettings(config),
    logger,
    intervalMs: config.drift.evaluation_interval_s * 1000,
    now,
  });
  return { loop, baselines, binner };
}

interface SloRuntime {
  slos: readonly Slo[];
  loop: SloEvaluationLoop;
  engine: AlertEngine;
  history: AlertHistory;
}

/** SLO specs, their evaluation loop and the alert engine that delivers what they decide. */
async function startSlos(config: Config, store: StoreClient, registry: Registry, logger: Logger, now: () => number, deliver: (n: AlertNotification[], at: number) => Promise<void>, onAlertChange?: (change: AlertChange) => void): Promise<SloRuntime> {
  const slos = loadSloFiles(config.slo.files, now()).filter((s) => isStoreSli(s.sli));
  const metrics = new SloMetrics(registry);
  const history = new AlertHistory(store.client, config.store.database);
  const externalUrl = config.alerting.external_url ?? `http://localhost:${config.server.port}`;
  const engine = new AlertEngine({
    history,
    deliver,
    generatorUrl: (slo) => `${externalUrl.replace(/\/$/, '')}/v1/slos/${encodeURIComponent(slo)}`,
    onFiringChange: (alert, firing) => {
      metrics.setFiring(alert.slo, alert.groupLabels, alert.severity, firing);
      onAlertChange?.({ slo: alert.slo, severity: alert.severity, tier: alert.tier, firing, longBurn: alert.longBurn, labels: alert.groupLabels });
    },
    logger,
  });
  await engine.restore();
  const loop = new SloEvaluationLoop({
    slos: () => slos,
    evaluate: (list, at) => evaluateSlos((queries) => windowCountsBatch(store.client, config.store.database, queries), list, at),
    onCycle: (evaluations, at) => engine.process(evaluations, at),
    metrics,
    logger,
    intervalMs: config.slo.evaluation_interval_s * 1000,
    now,
  });
  logger.info({ slos: slos.map((s) => s.name), warnings: slos.flatMap((s) => s.warnings) }, 'SLOs loaded');
  return { slos, loop, engine, history };
}

/** The model an SLO's alerts concern: the alert's own model label, else the SLI's model filter, else the SLO's labels or service. */
function modelOf(slo: Slo, groupLabels: Record<string, string>): string {
  return groupLabels.model ?? (slo.sli as { model?: string }).model ?? slo.labels.model ?? slo.service;
}

const DATA_OF = { 'no-data': 'no-data', 'insufficient-traffic': 'insufficient' } as const;

function firingAlerts(slo: SloRuntime): FiringAlert[] {
  return slo.slos.flatMap((s) => {
    const health = slo.loop.latest.get(s.name)?.overall.health;
    const data = (health && health in DATA_OF ? DATA_OF[health as keyof typeof DATA_OF] : 'ok') as FiringAlert['data'];
    return slo.engine.alertsFor(s.name).filter((a) => a.state.phase === 'firing').map((a) => ({ slo: s.name, severity: a.severity, firingSince: a.state.firingSince ?? a.state.since, model: modelOf(s, a.groupLabels), data }));
  });
}

/** Per-minute GPU utilisation keyed by "namespace/job", as the policy engine and the status page read it. */
function minutesByJob(rows: readonly JobUtilizationMinute[]): Map<string, UtilizationMinute[]> {
  const byJob = new Map<string, UtilizationMinute[]>();
  for (const r of rows) {
    const key = `${r.namespace}/${r.job}`;
    byJob.set(key, [...(byJob.get(key) ?? []), { minute: r.minute, utilization: r.utilization }]);
  }
  return byJob;
}

/** The policy engine's signals, read from the analysis loops, the alert engine and the store. */
function policyInputs(store: StoreClient, database: string, slo: SloRuntime, drift: DriftLoop): PolicyInputs {
  return {
    driftEpisodes: async () => [...drift.latest.values()].flatMap((d) => driftEpisodeSignal(d) ?? []),
    firingAlerts: async () => firingAlerts(slo),
    budgets: async () => calendarBudgets(slo.loop.latest.values()),
    gpuUtilization: async (now) => minutesByJob(await gpuUtilizationByJob(store.client, database, now - 2 * 3_600_000, now)),
  };
}

/** A cluster to act on, and how to let go of it. */
export interface ConnectedCluster {
  source: KubeSource;
  close: () => Promise<void>;
}

/**
 * The cluster the policy engine acts on. Without one configured, an in-process Kubernetes API
 * emulator with a GPU scheduler and Deployment / InferenceService controllers stands in.
 */
async function connectCluster(config: Config, logger: Logger, now: () => number): Promise<ConnectedCluster> {
  const o = config.orchestration;
  const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG;
  const mode = o.cluster !== 'auto' ? o.cluster : process.env.KUBERNETES_SERVICE_HOST ? 'in-cluster' : kubeconfig ? 'kubeconfig' : 'emulator';
  if (mode === 'in-cluster') return { source: { kind: 'in-cluster' }, close: async () => undefined };
  if (mode === 'kubeconfig') {
    if (!kubeconfig) throw new Error('orchestration.cluster is kubeconfig but no orchestration.kubeconfig or KUBECONFIG is set');
    return { source: { kind: 'file', path: kubeconfig }, close: async () => undefined };
  }
  const emulator = await startKubeApiEmulator({ now: () => new Date(now()) });
  const onError = (error: unknown) => logger.warn({ err: error }, 'emulated cluster controller error');
  const controllers = [new GpuScheduler(emulator.store, { gpus: o.emulator_gpus, nodes: Math.max(1, Math.ceil(o.emulator_gpus / 8)), now, onError }), new DeploymentController(emulator.store, { now, onError }), new InferenceServiceController(emulator.store, { now, onError })];
  controllers[0]?.start(1000);
  for (const c of controllers.slice(1)) c.start();
  logger.warn({ url: emulator.url, gpus: o.emulator_gpus }, 'no Kubernetes cluster configured: acting on the in-process emulator');
  return {
    source: { kind: 'options', options: emulator.kubeConfig(o.lease.namespace) },
    close: async () => {
      for (const c of controllers) c.stop();
      await emulator.close();
    },
  };
}

/** The policy engine with leader election, when policies are configured. */
function startOrchestration(config: Config, cluster: KubeSource, store: StoreClient, actions: ActionLog, registry: Registry, logger: Logger, now: () => number, slo: SloRuntime, drift: DriftLoop): PolicyRuntime | undefined {
  const o = config.orchestration;
  if (o.policy_files.length === 0) return undefined;
  const policies = loadPolicySpecs(readSpecFiles(o.policy_files));
  const runtime = startPolicyRuntime({
    kubeConfig: loadKubeConfig(cluster),
    policies,
    inputs: policyInputs(store, config.store.database, slo, drift),
    log: actions,
    identity: o.identity ?? `${hostname()}-${process.pid}`,
    lease: { namespace: o.lease.namespace, name: o.lease.name, durationMs: o.lease.duration_s * 1000, renewDeadlineMs: o.lease.renew_deadline_s * 1000, retryPeriodMs: o.lease.retry_period_s * 1000 },
    intervalMs: o.interval_s * 1000,
    kfp: o.kfp.url ? { url: o.kfp.url, token: o.kfp.token } : undefined,
    recovery: { settleMs: o.rollback_verification.settle_s * 1000, deadlineMs: o.rollback_verification.deadline_s * 1000, maxBurnRate: o.rollback_verification.max_burn_rate },
    onEscalated: (name, message) => slo.engine.annotateFiring(name, { mlwarden_escalation: message }),
    sloRecovery: async (name) => sloRecoveryOf(slo.loop.latest.get(name), slo.engine.alertsFor(name).some((a) => a.state.phase === 'firing')),
    registry,
    logger,
    now,
  });
  logger.info({ policies: policies.map((p) => p.name) }, 'policies loaded');
  return runtime;
}

interface Collector {
  start(): void;
  stop(): Promise<void>;
}

const execFileText = promisify(execFile);

/**
 * The collectors a `collectors` config section asks for, sending to `sink`; `cluster` is where runs
 * are watched. The run collector's KFP token defaults to `kfpToken` (MLWARDEN_KFP_TOKEN, the
 * orchestration layer's), so one Secret serves both.
 */
export function collectorsFor(c: Config['collectors'], sink: TelemetrySink, health: CollectorHealth, cluster: KubeSource | undefined, now: () => number = Date.now, kfpToken?: string): Collector[] {
  const node = process.env.NODE_NAME ?? hostname();
  const gpu = c.gpu.map((g) =>
    g.dcgm_url
      ? new GpuCollector({ url: g.dcgm_url, node: g.node ?? node, sink, health, intervalMs: g.interval_s * 1000 })
      : new GpuCollector({ nvidiaSmi: async () => (await execFileText('nvidia-smi', [...NVIDIA_SMI_ARGS])).stdout, node: g.node ?? node, sink, health, intervalMs: g.interval_s * 1000 }),
  );
  const serving = c.serving.targets.length > 0 ? [new ServingCollector({ targets: c.serving.targets, sink, health, intervalMs: c.serving.interval_s * 1000 })] : [];
  const kfp = c.runs.kfp.url ? { url: c.runs.kfp.url, token: c.runs.kfp.token ?? kfpToken, intervalMs: c.runs.kfp.interval_s * 1000 } : undefined;
  const runs = c.runs.enabled || kfp
    ? [new RunCollector({ ...(c.runs.enabled && cluster ? { kubeConfig: loadKubeConfig(cluster) } : {}), ...(c.runs.namespaces.length > 0 ? { namespaces: c.runs.namespaces } : {}), sink, health, now, ...(kfp ? { kfp } : {}) })]
    : [];
  return [...gpu, ...serving, ...runs];
}

/** The server's own ingest path as a collector sink: the same validation and write path as POST /v1/telemetry. */
function ingestSink(ingest: TelemetryIngest): TelemetrySink {
  return async (kind, records) => {
    await ingest.accept(kind, JSON.stringify(records), 'application/json');
  };
}

export interface StandaloneCollectors {
  metricsUrl: string;
  close(): Promise<void>;
}

/**
 * `mlwarden collect`: the configured collectors in their own process, sending to a server's ingest
 * API, with their health (and the process's) on /metrics at `metricsPort`.
 */
export async function startStandaloneCollectors(c: Config['collectors'], options: { server: string; token?: string | undefined; metricsPort: number; cluster?: KubeSource | undefined }, logger: Logger): Promise<StandaloneCollectors> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mlwarden_collector_process_' });
  const collectors = collectorsFor(c, httpSink({ server: options.server, token: options.token }), new CollectorHealth(registry), options.cluster, Date.now, process.env.MLWARDEN_KFP_TOKEN);
  if (collectors.length === 0) throw new Error('no collector configured: name a dcgm-exporter URL, nvidia-smi, serving targets, or runs');
  const metrics = await serveHttp(new Hono().route('/', metricsRoutes(registry)), '0.0.0.0', options.metricsPort);
  for (const collector of collectors) collector.start();
  logger.info({ server: options.server, collectors: collectors.map((x) => x.constructor.name), metrics: `${metrics.url}/metrics` }, 'collecting');
  return {
    metricsUrl: `${metrics.url}/metrics`,
    async close() {
      await Promise.all(collectors.map((x) => x.stop()));
      await metrics.close();
    },
  };
}

/** The SLO API's view of an SLO's alerts. */
function sloAlerts(slo: SloRuntime): (name: string) => AlertView[] {
  return (name) => slo.engine.alertsFor(name).map((a) => ({ severity: a.severity, state: a.state.phase, since: new Date(a.state.since).toISOString(), labels: a.groupLabels }));
}

/** The status page's GPU pool: the cluster's GPU workloads with their utilisation over the last 10 minutes. */
async function gpuPoolView(kubeConfig: Parameters<typeof readGpuPool>[0], store: StoreClient, database: string, now: number): Promise<GpuPoolView> {
  const [pool, minutes] = await Promise.all([readGpuPool(kubeConfig), gpuUtilizationByJob(store.client, database, now - 10 * 60_000, now)]);
  const byJob = minutesByJob(minutes);
  const mean = (xs: UtilizationMinute[] | undefined) => (xs && xs.length > 0 ? xs.reduce((a, m) => a + m.utilization, 0) / xs.length : null);
  const jobs = pool.workloads.map((w) => ({
    kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, phase: w.phase,
    utilisation: mean(byJob.get(`${w.namespace}/${w.name}`)), suspendedBy: w.suspendedBy ?? null,
  }));
  const running = jobs.filter((j) => j.phase === 'running' && j.utilisation !== null);
  const used = running.reduce((s, j) => s + j.gpus, 0);
  return { capacity: pool.capacity, used: pool.used, utilisation: used === 0 ? null : running.reduce((s, j) => s + (j.utilisation as number) * j.gpus, 0) / used, jobs };
}

/**
 * Exports mlwarden's own spans over OTLP when the standard OTEL_* variables name an endpoint;
 * otherwise tracing stays a no-op. Returns the shutdown to call on exit.
 */
async function startSelfTracing(logger: Logger): Promise<() => Promise<void>> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return async () => undefined;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'mlwarden', metricReaders: [], logRecordProcessors: [] });
  sdk.start();
  logger.info({ endpoint }, 'exporting mlwarden spans over OTLP');
  return () => sdk.shutdown();
}

export interface RunningMlwarden {
  url: string;
  port: number;
  /** The server's own ingest path, for in-process telemetry sources (collectors, the demo's fleet). */
  sink: TelemetrySink;
  close(): Promise<void>;
}

export interface ServerOptions {
  /**
   * The one clock of ingest, analysis, alerting, the emulated cluster and the policy engine
   * (default Date.now; the demo passes its accelerated simulated clock). Leader election keeps
   * real time: its Lease is about this process being alive.
   */
  now?: () => number;
  /** A cluster connected by the caller (the demo's emulated fleet) instead of orchestration.cluster. */
  cluster?: ConnectedCluster;
  /** Told of every SLO alert that starts or stops firing. */
  onAlertChange?: (change: AlertChange) => void;
  /** Told of every action change the policy engine records. */
  onActionsSaved?: (entries: readonly ActionEntry[]) => void;
}

/** The action log, telling a listener about every change it records once it is stored. */
class ObservedActionLog extends ActionLog {
  constructor(client: ConstructorParameters<typeof ActionLog>[0], database: string, private readonly onSaved: (entries: readonly ActionEntry[]) => void) {
    super(client, database);
  }

  override async save(entries: readonly ActionEntry[]): Promise<void> {
    await super.save(entries);
    if (entries.length > 0) this.onSaved(entries);
  }
}

/** Opens the store, applies migrations, and serves the API until close() (which flushes accepted data). */
export async function startServer(config: Config, logger: Logger, options: ServerOptions = {}): Promise<RunningMlwarden> {
  const stopTracing = await startSelfTracing(logger);
  const store = await openStore(storeConfig(config));
  const ctx = ddlContext(config);
  const report = await migrate(store.client, ctx);
  logger.info({ mode: store.mode, applied: report.applied, schema: report.current }, 'store ready');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mlwarden_' });
  const now = options.now ?? Date.now;
  const ingest = new TelemetryIngest({
    inserter: telemetryInserter(store.client, ctx.database),
    options: {
      maxBatchRows: config.ingest.max_batch_rows,
      flushIntervalMs: config.ingest.flush_interval_ms,
      maxPendingRows: config.ingest.max_pending_rows,
      maxInflightBytes: config.ingest.max_inflight_bytes,
      retryAfterSeconds: config.ingest.retry_after_seconds,
    },
    now,
    logger,
    metrics: (pending) => ingestMetrics(registry, pending),
  });
  const auth = authenticator({ ingestTokens: config.auth.ingest_tokens, adminTokens: config.auth.admin_tokens });
  if (!auth.enabled) logger.warn('no ingest or admin tokens configured: the API accepts unauthenticated requests');

  const silences = new SilenceStore(store.client, ctx.database);
  const slo = await startSlos(config, store, registry, logger, now, alertDelivery(config, silences, now, logger), options.onAlertChange);
  const stopPlatformMetrics = startPlatformMetrics(config, store, registry, logger, now);
  const drift = startDrift(config, store, registry, logger, now);
  const actions = options.onActionsSaved ? new ObservedActionLog(store.client, ctx.database, options.onActionsSaved) : new ActionLog(store.client, ctx.database);
  const needsCluster = config.orchestration.policy_files.length > 0 || config.collectors.runs.enabled;
  const cluster = options.cluster ?? (needsCluster ? await connectCluster(config, logger, now) : undefined);
  const orchestration = cluster && startOrchestration(config, cluster.source, store, actions, registry, logger, now, slo, drift.loop);
  const collectors = collectorsFor(config.collectors, ingestSink(ingest), new CollectorHealth(registry), cluster?.source, now, config.orchestration.kfp.token);
  for (const collector of collectors) collector.start();
  const app = createApp({
    ingest,
    auth,
    registry,
    logger,
    now,
    bodyLimitBytes: config.server.body_limit_bytes,
    readiness: () => checkReadiness(store, ctx),
    summary: (q) => telemetrySummary(store.client, ctx.database, q),
    slo: {
      slos: () => slo.slos,
      latest: (name) => slo.loop.latest.get(name),
      lastError: (name) => slo.loop.lastError.get(name),
      alerts: sloAlerts(slo),
      history: (name) => slo.history.forSlo(name, 100),
      latencyCoverage: async (s) => {
        if (s.sli.type !== 'latency') return undefined;
        const plan = slo.loop.latest.get(s.name)?.plan;
        return plan ? latencyCoverage(store.client, ctx.database, s.sli, plan.period.start, plan.end) : undefined;
      },
    },
    silences,
    drift: {
      latest: (model) => drift.loop.latest.get(model),
      models: () => [...drift.loop.latest.keys()].sort(),
      saveBaselines: (entries) => drift.baselines.save(entries),
      fromServing: (q) => baselinesFromServing({ profile: (p) => profileFeatures(store.client, ctx.database, p), readBins: (b) => drift.binner.bins(b) }, q),
      maxBodyBytes: config.server.body_limit_bytes,
    },
    actions: { actions, approver: orchestration?.engine },
    statusPage: {
      slos: () => slo.slos.map((s) => sloView(s, { latest: (n) => slo.loop.latest.get(n), lastError: (n) => slo.loop.lastError.get(n), alerts: sloAlerts(slo) })),
      history: (name) => slo.history.forSlo(name, 500),
      drift: () => [...drift.loop.latest.values()],
      gpu: async () => (cluster ? gpuPoolView(loadKubeConfig(cluster.source), store, ctx.database, now()) : undefined),
      actions: (limit) => actions.list({ limit }),
      approver: orchestration?.engine,
    },
  });
  const server = await serveHttp(app, config.server.host, config.server.port);
  logger.info({ url: server.url, port: server.port }, 'mlwarden listening');
  slo.loop.start();
  drift.loop.start();

  return {
    url: server.url,
    port: server.port,
    sink: ingestSink(ingest),
    async close() {
      await server.close();
      stopPlatformMetrics();
      await Promise.all(collectors.map((c) => c.stop()));
      await orchestration?.stop();
      await cluster?.close();
      await slo.loop.stop();
      await drift.loop.stop();
      await ingest.close();
      await store.close();
      await stopTracing();
      logger.info('mlwarden stopped');
    },
  };
}

/** examples/demo beside the sources (src/main.ts) or the build (dist/src/main.js). */
function demoExamples(): string {
  const candidates = [resolve(import.meta.dirname, '../examples/demo'), resolve(import.meta.dirname, '../../examples/demo')];
  const found = candidates.find((dir) => existsSync(join(dir, 'scenario.yaml')));
  if (!found) throw new Error(`examples/demo not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface DemoOptions {
  /** Simulated seconds per real second (default 20). */
  speed?: number;
  port?: number;
  host?: string;
  /** Embedded store directory; a new temporary directory when unset. */
  dataDir?: string;
  /** Scenario file (default examples/demo/scenario.yaml). */
  scenarioFile?: string;
  /** Where the story is told (the terminal). */
  out: StoryStream;
}

export interface RunningDemo {
  url: string;
  dataDir: string;
  clock: SimClock;
  scenario: Scenario;
  close(): Promise<void>;
}

/**
 * Intervals in real seconds: at the default speed a second is 20 simulated seconds, so analysis
 * and policy passes run every simulated half minute or so. Drift is judged over 5-minute windows
 * so an episode (three drifting windows) opens a quarter of an hour after the world moves.
 */
function demoConfig(examples: string, o: { port: number; host: string; dataDir: string; kfpUrl: string }): Config {
  return loadConfig({
    env: {},
    sections: {
      server: { host: o.host, port: o.port },
      store: { data_dir: o.dataDir },
      ingest: { flush_interval_ms: 20 },
      slo: { files: [join(examples, 'slos.yaml')], evaluation_interval_s: 1 },
      drift: { window_s: 300, lookback_windows: 12, evaluation_interval_s: 1, min_sample_size: 200 },
      orchestration: {
        policy_files: [join(examples, 'policies.yaml')],
        interval_s: 0.5,
        kfp: { url: o.kfpUrl },
        rollback_verification: { settle_s: 240, deadline_s: 3600, max_burn_rate: 1 },
      },
      collectors: { runs: { enabled: true, kfp: { url: o.kfpUrl, interval_s: 1 } } },
      log: { level: 'info' },
    },
  });
}

/**
 * `mlwarden demo`: the server on an embedded store, the emulated fleet cluster (GPU pool, serving
 * objects, Kubeflow Pipelines), the demo policies and the fleet simulator, all on one accelerated
 * clock. History is backfilled first; then the scenario plays and `out` tells what mlwarden sees
 * and does. Logs go to mlwarden.log in the data directory.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const examples = demoExamples();
  const scenario = readScenario(options.scenarioFile ?? join(examples, 'scenario.yaml'));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mlwarden-demo-'));
  mkdirSync(dataDir, { recursive: true });
  const logger = pino({ level: 'info', base: { service: 'mlwarden' }, timestamp: pino.stdTimeFunctions.isoTime }, destination({ dest: join(dataDir, 'mlwarden.log'), sync: true }));
  const clock = new SimClock(Math.floor(Date.now() / 60_000) * 60_000, options.speed ?? 20);
  const story = new DemoStory(options.out, clock);
  const onError = (error: unknown) => logger.warn({ err: error }, 'demo fleet error');
  const fleet = await FleetCluster.start(scenario, { now: clock.now, onError });
  const config = demoConfig(examples, { port: options.port ?? 8080, host: options.host ?? '127.0.0.1', dataDir, kfpUrl: fleet.kfp.url });
  story.say(`mlwarden demo: ${scenario.models.length} models, ${scenario.gpu_pool.gpus} GPUs, ${scenario.events.length} scripted events at ${clock.speed}× speed; data and logs in ${dataDir}`);
  const server = await startServer(config, logger, {
    now: clock.now,
    cluster: { source: { kind: 'options', options: fleet.kubeConfig(config.orchestration.lease.namespace) }, close: async () => undefined },
    onAlertChange: story.alert,
    onActionsSaved: story.actions,
  }).catch(async (error: unknown) => {
    await fleet.close();
    throw error;
  });
  const simulator = new FleetSimulator({ scenario, cluster: fleet, sink: server.sink, now: clock.now, onEvent: story.event, onError });
  const close = async () => {
    await simulator.stop();
    await server.close();
    await fleet.close();
  };
  try {
    await registerBaselines(server.url, scenario);
    await simulator.backfill(story.progress);
  } catch (error) {
    await close();
    throw error;
  }
  story.say(`status page ${server.url}/   API ${server.url}/v1   (GET /v1/slos, /v1/drift?model=fraud, /v1/actions)`);
  clock.run();
  simulator.run();
  return { url: server.url, dataDir, clock, scenario, close };
}
