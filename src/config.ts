import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MlwardenError } from './domain/errors.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)');
const tokenList = z.array(z.string().min(16, 'tokens must be at least 16 characters')).default([]);

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65_535).default(8080),
      body_limit_bytes: z.number().int().min(1024).default(16 * 1024 * 1024),
    })
    .prefault({}),
  store: z
    .strictObject({
      data_dir: z.string().min(1).default('./data'),
      url: z.url().optional(),
      user: z.string().optional(),
      password: z.string().optional(),
      database: identifier.default('mlwarden'),
      cluster: identifier.optional(),
      retention_days: z.number().int().min(1).max(3650).default(30),
      request_timeout_ms: z.number().int().min(100).default(30_000),
      tls: z
        .strictObject({ ca_file: z.string().optional(), cert_file: z.string().optional(), key_file: z.string().optional() })
        .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), { message: 'cert_file and key_file go together (mutual TLS)', path: ['cert_file'] })
        .refine((t) => t.cert_file === undefined || t.ca_file !== undefined, { message: 'mutual TLS needs ca_file too', path: ['ca_file'] })
        .optional(),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      /**
       * Rows per INSERT: a batch closes at this size, or once its oldest request waited flush_interval_ms.
       * Clients wait for the ack, so a batch smaller than what a few of them have in flight leaves work
       * queued behind each INSERT and keeps parsing and inserting overlapped; with 100k, four clients
       * sending 5-10k rows each waited out the interval on every round (bench/ingest.bench.ts).
       * Raise it when many clients send at once: larger INSERTs cost the engine less per row.
       */
      max_batch_rows: z.number().int().min(1).default(20_000),
      flush_interval_ms: z.number().int().min(1).max(60_000).default(200),
      max_pending_rows: z.number().int().min(1).default(1_000_000),
      /** Bytes of request bodies read and validated at once; bounds memory whatever the client count. */
      max_inflight_bytes: z.number().int().min(1024).default(256 * 1024 * 1024),
      retry_after_seconds: z.number().int().min(1).default(1),
    })
    .prefault({}),
  auth: z.strictObject({ ingest_tokens: tokenList, admin_tokens: tokenList }).prefault({}),
  slo: z
    .strictObject({
      /** SLO spec files or folders (every *.yaml / *.yml inside), any supported format. */
      files: z.array(z.string().min(1)).default([]),
      evaluation_interval_s: z.number().min(1).max(3600).default(30),
    })
    .prefault({}),
  alerting: z
    .strictObject({
      alertmanager_urls: z.array(z.url()).default([]),
      webhook_urls: z.array(z.url()).default([]),
      /** HMAC key for webhook signatures; prefer MLWARDEN_WEBHOOK_SECRET from a Secret. */
      webhook_secret: z.string().min(16, 'must be at least 16 characters').optional(),
      resend_interval_s: z.number().min(5).default(60),
      /** Base URL people reach mlwarden at; alerts link back to it (generatorURL). */
      external_url: z.url().optional(),
    })
    .prefault({}),
  drift: z
    .strictObject({
      /** Length of one scored window; PSI compares each whole window with the baseline. */
      window_s: z.number().int().min(60).default(3600),
      lookback_windows: z.number().int().min(1).max(1000).default(24),
      evaluation_interval_s: z.number().min(1).default(60),
      /** Fewer observations than this in a window: "insufficient data", never "no drift". */
      min_sample_size: z.number().int().min(1).default(200),
      moderate_psi: z.number().positive().default(0.1),
      significant_psi: z.number().positive().default(0.25),
      /** False-alarm rate of the no-drift critical value (1/n + 1/m)·χ²(B−1, 1−α). */
      alpha: z.number().gt(0).lt(1).default(0.01),
      /** Consecutive drifting windows that open an episode, and ok windows that close it. */
      open_after: z.number().int().min(1).default(3),
      close_after: z.number().int().min(1).default(3),
    })
    .prefault({}),
  costs: z
    .strictObject({
      /** USD per allocated GPU-hour, by GPU model name as dcgm-exporter reports it. */
      gpu_hour_usd: z.record(z.string(), z.number().min(0)).default({}),
      default_gpu_hour_usd: z.number().min(0).default(2.5),
    })
    .prefault({}),
  orchestration: z
    .strictObject({
      /** Policy spec files or folders; the policy engine runs only when some are given. */
      policy_files: z.array(z.string().min(1)).default([]),
      /**
       * The cluster actions go to: `auto` is in-cluster when KUBERNETES_SERVICE_HOST is set, the
       * kubeconfig when one is given, else the in-process emulator (the embedded default).
       */
      cluster: z.enum(['auto', 'in-cluster', 'kubeconfig', 'emulator']).default('auto'),
      kubeconfig: z.string().min(1).optional(),
      /** This replica's name in the leader Lease (default: hostname and pid). */
      identity: z.string().min(1).optional(),
      lease: z
        .strictObject({
          namespace: z.string().min(1).default('mlwarden'),
          name: z.string().min(1).default('mlwarden-policy-engine'),
          duration_s: z.number().positive().default(15),
          renew_deadline_s: z.number().positive().default(10),
          retry_period_s: z.number().positive().default(2),
        })
        .refine((l) => l.renew_deadline_s < l.duration_s, { message: 'must be shorter than duration_s (the leader stops before anyone may take over)', path: ['renew_deadline_s'] })
        .prefault({}),
      interval_s: z.number().min(0.1).max(3600).default(15),
      /** Kubeflow Pipelines API for retrain targets of kind kfp; prefer MLWARDEN_KFP_TOKEN from a Secret. */
      kfp: z.strictObject({ url: z.url().optional(), token: z.string().min(1).optional() }).prefault({}),
      /** After a rollback: wait settle_s, then the short-window burn must be ≤ max_burn_rate by deadline_s. */
      rollback_verification: z
        .strictObject({ settle_s: z.number().min(0).default(300), deadline_s: z.number().positive().default(1800), max_burn_rate: z.number().positive().default(1) })
        .prefault({}),
      /** GPUs of the emulated cluster's pool (cluster: emulator). */
      emulator_gpus: z.number().int().min(0).default(8),
    })
    .prefault({}),
  collectors: z
    .strictObject({
      /** GPU readings of this node: a dcgm-exporter /metrics URL, or nvidia-smi run locally. */
      gpu: z
        .array(
          z
            .strictObject({ dcgm_url: z.url().optional(), nvidia_smi: z.boolean().default(false), node: z.string().min(1).optional(), interval_s: z.number().min(1).default(15) })
            .refine((g) => (g.dcgm_url !== undefined) !== g.nvidia_smi, { message: 'give dcgm_url or nvidia_smi: true (one of them)', path: ['dcgm_url'] }),
        )
        .default([]),
      /** Model servers' /metrics (KServe, Triton, vLLM or any *_request_duration_seconds histogram). */
      serving: z
        .strictObject({
          targets: z.array(z.strictObject({ url: z.url(), flavour: z.enum(['kserve', 'triton', 'vllm', 'generic']), model: z.string().min(1).optional(), version: z.string().min(1).optional(), namespace: z.string().min(1).optional() })).default([]),
          interval_s: z.number().min(1).default(30),
        })
        .prefault({}),
      /** Training and pipeline runs: Kubernetes watches (the orchestration cluster) and Kubeflow Pipelines polling. */
      runs: z
        .strictObject({
          enabled: z.boolean().default(false),
          namespaces: z.array(z.string().min(1)).default([]),
          kfp: z.strictObject({ url: z.url().optional(), token: z.string().min(1).optional(), interval_s: z.number().min(1).default(60) }).prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
});

export type Config = z.output<typeof configSchema>;

type Env = Record<string, string | undefined>;

const list = (value: string): string[] => value.split(',').map((t) => t.trim()).filter((t) => t !== '');

/** Environment variables that override the file: name → (config path, parser). */
const ENV_OVERRIDES: Record<string, [section: string, key: string, parse: (v: string) => unknown]> = {
  MLWARDEN_HOST: ['server', 'host', String],
  MLWARDEN_PORT: ['server', 'port', Number],
  MLWARDEN_DATA_DIR: ['store', 'data_dir', String],
  MLWARDEN_CLICKHOUSE_URL: ['store', 'url', String],
  MLWARDEN_CLICKHOUSE_USER: ['store', 'user', String],
  MLWARDEN_CLICKHOUSE_PASSWORD: ['store', 'password', String],
  MLWARDEN_CLICKHOUSE_DATABASE: ['store', 'database', String],
  MLWARDEN_CLICKHOUSE_CLUSTER: ['store', 'cluster', String],
  MLWARDEN_RETENTION_DAYS: ['store', 'retention_days', Number],
  MLWARDEN_INGEST_TOKEN: ['auth', 'ingest_tokens', list],
  MLWARDEN_ADMIN_TOKEN: ['auth', 'admin_tokens', list],
  MLWARDEN_LOG_LEVEL: ['log', 'level', String],
  MLWARDEN_SLO_FILES: ['slo', 'files', list],
  MLWARDEN_ALERTMANAGER_URL: ['alerting', 'alertmanager_urls', list],
  MLWARDEN_WEBHOOK_URL: ['alerting', 'webhook_urls', list],
  MLWARDEN_WEBHOOK_SECRET: ['alerting', 'webhook_secret', String],
  MLWARDEN_EXTERNAL_URL: ['alerting', 'external_url', String],
  MLWARDEN_POLICY_FILES: ['orchestration', 'policy_files', list],
  MLWARDEN_CLUSTER: ['orchestration', 'cluster', String],
  MLWARDEN_KUBECONFIG: ['orchestration', 'kubeconfig', String],
  MLWARDEN_POD_NAME: ['orchestration', 'identity', String],
  MLWARDEN_KFP_URL: ['orchestration', 'kfp', (v) => ({ url: v })],
  MLWARDEN_KFP_TOKEN: ['orchestration', 'kfp', (v) => ({ token: v })],
};

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MlwardenError('invalid', `cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new MlwardenError('invalid', `config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new MlwardenError('invalid', `config file ${path} must hold a mapping`);
  return parsed as Record<string, unknown>;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function applyEnv(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [section, value] of Object.entries(raw)) {
    merged[section] = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : (value as Record<string, unknown>);
  }
  for (const [name, [section, key, parse]] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parsed = parse(value);
    const existing = merged[section]?.[key];
    // Variables naming one field of a nested setting (MLWARDEN_KFP_URL, MLWARDEN_KFP_TOKEN) add to it.
    const nested = isMapping(parsed) && isMapping(existing);
    merged[section] = { ...(merged[section] ?? {}), [key]: nested ? { ...existing, ...parsed } : parsed };
  }
  return merged;
}

/**
 * Loads configuration: the YAML file (if any), then MLWARDEN_* environment overrides, validated as
 * a whole. A bad value fails here, naming where it came from and why; secrets are never echoed.
 */
export function loadConfig(options: { file?: string | undefined; env?: Env; sections?: Record<string, unknown> } = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MLWARDEN_CONFIG;
  // Whole sections given on the command line (mlwarden collect) replace the file's.
  const raw = { ...applyEnv(file ? readFile(file) : {}, env), ...options.sections };
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ field: issue.path.join('.'), reason: issue.message }));
  const where = file ? `config file ${file} (with MLWARDEN_* overrides)` : 'configuration (MLWARDEN_* environment)';
  throw new MlwardenError('invalid', `${where} is invalid: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`, { problems });
}
