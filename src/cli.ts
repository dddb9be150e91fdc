#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { readCsvTable, readSpecFiles, uploadBaselines } from './analysis/index.js';
import { loadConfig, type Config } from './config.js';
import { columnReport, PSI_METHODS, type ColumnDrift, type PsiMethod } from './domain/drift/index.js';
import { isMlwardenError, MlwardenError } from './domain/errors.js';
import { generatePrometheusRules, loadSloSpecs, renderRuleFile, type AlertMode } from './domain/slo/index.js';
import { formatBacktest, loadPolicySpecs } from './domain/policy/index.js';
import { createLogger } from './logger.js';
import { backtestPolicies, runMigrations, startDemo, startServer, startStandaloneCollectors } from './main.js';

interface CommonOptions {
  config?: string;
  port?: number;
  dataDir?: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('must be an integer 0..65535');
  return n;
}

function configFrom(options: CommonOptions): Config {
  const env: Record<string, string | undefined> = { ...process.env };
  if (options.port !== undefined) env.MLWARDEN_PORT = String(options.port);
  if (options.dataDir !== undefined) env.MLWARDEN_DATA_DIR = options.dataDir;
  return loadConfig({ file: options.config, env });
}

function fail(error: unknown): never {
  const message = isMlwardenError(error) ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`mlwarden: ${message}\n`);
  process.exit(isMlwardenError(error) && error.kind === 'invalid' ? 2 : 1);
}

async function serve(options: CommonOptions): Promise<void> {
  const config = configFrom(options);
  const logger = createLogger(config.log.level);
  const running = await startServer(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: committing accepted telemetry');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

interface DemoCommandOptions {
  speed: number;
  port: number;
  dataDir?: string;
  scenario?: string;
}

function speedOf(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 10_000) throw new InvalidArgumentError('must be a number above 0 and at most 10000');
  return n;
}

/** `mlwarden demo`: the whole control plane against a simulated fleet; the story goes to the terminal. */
async function demoCommand(options: DemoCommandOptions): Promise<void> {
  const demo = await startDemo({ speed: options.speed, port: options.port, dataDir: options.dataDir, scenarioFile: options.scenario, out: process.stdout });
  process.stdout.write('Ctrl-C stops the demo.\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping: committing accepted telemetry…\n');
    demo.close().then(
      () => {
        process.stdout.write(`stopped; data and logs kept in ${demo.dataDir}\n`);
        process.exit(0);
      },
      (error: unknown) => fail(error),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

interface CollectOptions {
  config?: string;
  server: string;
  metricsPort: number;
  dcgmUrl?: string;
  nvidiaSmi?: boolean;
  node?: string;
  target?: string[];
  namespace?: string[];
  kfpUrl?: string;
  kubeconfig?: string;
  interval?: number;
}

/** `url=URL,flavour=F[,model=M,version=V,namespace=N]` → a serving target (validated with the config). */
function servingTarget(text: string): Record<string, string> {
  return Object.fromEntries(text.split(',').map((part) => {
    const at = part.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`"${part}" is not key=value (e.g. url=http://fraud:8080/metrics,flavour=kserve)`);
    return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
  }));
}

function collectorSection(kind: string, o: CollectOptions): Record<string, unknown> {
  const interval = o.interval === undefined ? {} : { interval_s: o.interval };
  if (kind === 'gpu') return { gpu: [{ ...(o.dcgmUrl ? { dcgm_url: o.dcgmUrl } : {}), nvidia_smi: o.nvidiaSmi === true, ...(o.node ? { node: o.node } : {}), ...interval }] };
  if (kind === 'serving') return { serving: { targets: (o.target ?? []).map(servingTarget), ...interval } };
  return { runs: { enabled: o.kfpUrl === undefined || (o.namespace ?? []).length > 0 || o.kubeconfig !== undefined, namespaces: o.namespace ?? [], kfp: o.kfpUrl ? { url: o.kfpUrl, token: process.env.MLWARDEN_KFP_TOKEN, ...interval } : {} } };
}

async function collectCommand(kind: string, options: CollectOptions): Promise<void> {
  const config = loadConfig({ file: options.config, sections: { collectors: collectorSection(kind, options) } });
  const logger = createLogger(config.log.level);
  const cluster = kind !== 'runs' ? undefined : options.kubeconfig ? { kind: 'file' as const, path: options.kubeconfig } : process.env.KUBERNETES_SERVICE_HOST ? { kind: 'in-cluster' as const } : process.env.KUBECONFIG ? { kind: 'file' as const, path: process.env.KUBECONFIG } : undefined;
  const running = await startStandaloneCollectors(config.collectors, { server: options.server, token: process.env.MLWARDEN_INGEST_TOKEN, metricsPort: options.metricsPort, cluster }, logger);
  const stop = () => void running.close().then(() => process.exit(0), () => process.exit(1));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

interface BacktestCommandOptions extends CommonOptions {
  policies: string[];
  from: number;
  to: number;
  format: 'table' | 'json';
  gpuCapacity?: number;
}

function gpuCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number of GPUs');
  return n;
}

function instant(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('must be a date-time such as 2026-11-24T00:00:00Z');
  return ms;
}

async function backtestCommand(options: BacktestCommandOptions): Promise<void> {
  if (options.to <= options.from) throw new MlwardenError('invalid', '--to must be after --from', { problems: [{ field: 'to', reason: 'is not after --from' }] });
  const { report, comparison } = await backtestPolicies(configFrom(options), options.policies, options.from, options.to, options.gpuCapacity);
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify({ ...report, comparison }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatBacktest(report)}\n`);
  process.stdout.write(`live actions in the period: ${comparison.matched.length} also replayed, ${comparison.liveOnly.length} only live, ${comparison.replayOnly.length} only replayed\n`);
}

async function migrateCommand(options: CommonOptions): Promise<void> {
  const config = configFrom(options);
  const report = await runMigrations(config);
  const applied = report.applied.map((m) => `  ${m.version} ${m.name}`).join('\n');
  process.stdout.write(report.applied.length > 0 ? `applied:\n${applied}\nschema version ${report.current}\n` : `schema is current (version ${report.current})\n`);
}

interface RulesOptions {
  out?: string;
  mode: AlertMode;
}

/** Prometheus recording and alert rules for the SLOs with Prometheus SLIs; bad specs exit 2 listing every problem. */
function rulesCommand(files: string[], options: RulesOptions): void {
  const slos = loadSloSpecs(readSpecFiles(files), Date.now());
  const rules = generatePrometheusRules(slos, { mode: options.mode });
  for (const warning of slos.flatMap((s) => s.warnings)) process.stderr.write(`mlwarden: warning: ${warning}\n`);
  for (const skipped of rules.skipped) process.stderr.write(`mlwarden: no rules for ${skipped.slo}: ${skipped.reason}\n`);
  const yaml = renderRuleFile(rules);
  if (options.out === undefined) {
    process.stdout.write(yaml);
    return;
  }
  writeFileSync(options.out, yaml);
  process.stdout.write(`wrote ${rules.groups.length} rule groups for ${slos.length - rules.skipped.length} SLOs to ${options.out}\n`);
}

interface PsiOptions {
  reference: string;
  current: string;
  bins?: number;
  categorical?: string[];
  method: PsiMethod;
  format: 'table' | 'json';
}

function binCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 1000) throw new InvalidArgumentError('must be an integer 2..1000');
  return n;
}

const columnList = (value: string): string[] => value.split(',').map((c) => c.trim()).filter((c) => c !== '');
const figure = (x: number | null) => (x === null ? '-' : x.toFixed(4));

function psiTable(columns: ColumnDrift[]): string {
  const header = ['column', 'type', 'n', 'm', 'psi', 'critical', 'status', 'bins', 'unseen'];
  const rows = columns.map((c) => [
    c.column, c.type, String(c.n), String(c.m), figure(c.psi), figure(c.criticalValue), c.status, String(c.bins.filter((b) => b.included).length),
    c.unseen.map((u) => `${u.value} (${u.count})`).join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n') + '\n';
}

/** Per-column PSI of two CSV files, offline, with the same code and numbers as the online path. */
async function psiCommand(options: PsiOptions): Promise<void> {
  const reference = await readCsvTable(options.reference);
  const current = await readCsvTable(options.current);
  const report = columnReport(reference, current, { bins: options.bins, categorical: options.categorical, method: options.method });
  for (const warning of report.warnings) process.stderr.write(`mlwarden: warning: ${warning}\n`);
  process.stdout.write(options.format === 'json' ? `${JSON.stringify(report.columns, null, 2)}\n` : psiTable(report.columns));
}

interface BaselineOptions {
  server: string;
  model: string;
  version?: string;
  csv: string;
  bins?: number;
  topK?: number;
  categorical?: string[];
  method?: string;
}

/** Registers training data from a CSV file as baselines with a running mlwarden (admin token from MLWARDEN_ADMIN_TOKEN). */
async function baselineCommand(options: BaselineOptions): Promise<void> {
  const table = await readCsvTable(options.csv);
  const token = (process.env.MLWARDEN_ADMIN_TOKEN ?? '').split(',')[0]?.trim() || undefined;
  const features = await uploadBaselines(table, { ...options, token });
  process.stdout.write(`registered baselines for ${options.model}: ${features.join(', ')}\n`);
}

/** Validates policy specs; prints each policy's trigger and action, or every problem (exit 2). */
function policiesCheckCommand(files: string[]): void {
  const policies = loadPolicySpecs(readSpecFiles(files));
  for (const p of policies) process.stdout.write(`ok  ${p.name}: ${p.trigger.type} → ${p.action.type}${p.guardrails.dryRun ? ' (dry run)' : ''}\n`);
  process.stdout.write(`${policies.length} ${policies.length === 1 ? 'policy' : 'policies'} valid\n`);
}

export function buildProgram(): Command {
  const program = new Command('mlwarden')
    .description('Observability and SLO control plane for ML workloads on Kubernetes')
    .version('0.1.0')
    .showHelpAfterError();
  const withCommon = (command: Command) =>
    command
      .option('-c, --config <file>', 'YAML configuration file (default: $MLWARDEN_CONFIG)')
      .option('--data-dir <dir>', 'embedded ClickHouse data directory (default ./data; $MLWARDEN_DATA_DIR)');
  withCommon(program.command('serve').description('serve the ingest and query API on the configured store'))
    .option('-p, --port <port>', 'HTTP port (default 8080; $MLWARDEN_PORT)', port)
    .action((options: CommonOptions) => serve(options).catch(fail));
  program
    .command('demo')
    .description('run mlwarden against a simulated Kubeflow-style fleet (served models, GPU jobs, pipelines) whose scripted failures it detects and acts on')
    .option('--speed <n>', 'simulated seconds per real second', speedOf, 20)
    .option('-p, --port <port>', 'HTTP port', port, 8080)
    .option('--data-dir <dir>', 'embedded ClickHouse data directory (default: a new temporary directory)')
    .option('--scenario <file>', 'scenario file (default examples/demo/scenario.yaml)')
    .action((options: DemoCommandOptions) => demoCommand(options).catch(fail));
  withCommon(program.command('backtest').description('replay the stored signals between --from and --to through policies in dry run: which actions would have fired, when, and which guardrail would have stopped them (reads the store: stop a server using the same embedded data dir first)'))
    .requiredOption('--policies <files...>', 'policy spec files or folders')
    .requiredOption('--from <time>', 'start (ISO 8601)', instant)
    .requiredOption('--to <time>', 'end (ISO 8601)', instant)
    .option('--gpu-capacity <gpus>', 'GPUs in the pool: replays GPU preemption too (the store does not know the pool\'s size)', gpuCount)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((options: BacktestCommandOptions) => backtestCommand(options).catch(fail));
  withCommon(program.command('migrate').description('apply pending schema migrations to the store and exit')).action((options: CommonOptions) =>
    migrateCommand(options).catch(fail),
  );
  program
    .command('collect')
    .description('run a collector on its own, sending to a server\'s ingest API (token from $MLWARDEN_INGEST_TOKEN); its health is on /metrics')
    .addArgument(new Argument('<kind>', 'what to collect').choices(['gpu', 'serving', 'runs']))
    .option('-c, --config <file>', 'YAML configuration file (log level; collectors given here replace its collectors section)')
    .option('--server <url>', 'mlwarden API base URL', process.env.MLWARDEN_SERVER ?? 'http://127.0.0.1:8080')
    .option('--metrics-port <port>', 'port of this collector\'s /metrics', port, 9465)
    .option('--dcgm-url <url>', 'gpu: dcgm-exporter /metrics URL')
    .option('--nvidia-smi', 'gpu: read GPUs with nvidia-smi instead')
    .option('--node <name>', 'gpu: node name (default $NODE_NAME or the hostname)')
    .option('--target <spec...>', 'serving: url=URL,flavour=kserve|triton|vllm|generic[,model=M,version=V,namespace=N]')
    .option('--namespace <ns...>', 'runs: namespaces to watch (default all)')
    .option('--kfp-url <url>', 'runs: Kubeflow Pipelines API to poll (token from $MLWARDEN_KFP_TOKEN)')
    .option('--kubeconfig <file>', 'runs: kubeconfig (default in-cluster, then $KUBECONFIG)')
    .option('--interval <seconds>', 'seconds between polls', Number)
    .action((kind: string, options: CollectOptions) => collectCommand(kind, options).catch(fail));
  program
    .command('rules')
    .description('print Prometheus recording and alert rules for SLO specs whose SLI lives in Prometheus (native, Sloth or OpenSLO)')
    .argument('<files...>', 'SLO spec files or folders of them')
    .option('-o, --out <file>', 'write the rules to this file instead of stdout')
    .addOption(new Option('--mode <mode>', 'alert shape: one rule per tier, or Sloth\'s page/ticket pair').choices(['tiered', 'sloth']).default('tiered'))
    .action((files: string[], options: RulesOptions) => {
      try {
        rulesCommand(files, options);
      } catch (error) {
        fail(error);
      }
    });
  program
    .command('psi')
    .description('per-column PSI drift report of a current CSV file against a reference CSV file (header row required; empty cells are missing)')
    .requiredOption('--reference <file>', 'reference (training) data, CSV')
    .requiredOption('--current <file>', 'current (serving) data, CSV')
    .option('--bins <n>', 'quantile bins for numeric columns (default 10)', binCount)
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical', columnList)
    .addOption(new Option('--method <method>', 'PSI definition: mlwarden\'s own, or Evidently\'s / Phoenix\'s to compare with those tools').choices(PSI_METHODS).default('mlwarden'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((options: PsiOptions) => psiCommand(options).catch(fail));
  program
    .command('baseline')
    .description('register training data (CSV, header row; one feature per column) as drift baselines with a running mlwarden; token from $MLWARDEN_ADMIN_TOKEN')
    .requiredOption('--csv <file>', 'training data, CSV')
    .requiredOption('--model <name>', 'model the features belong to')
    .option('--version <version>', 'model version (default: any version)')
    .option('--server <url>', 'mlwarden API base URL', 'http://127.0.0.1:8080')
    .option('--bins <n>', 'quantile bins for numeric columns (default 10)', binCount)
    .option('--top-k <n>', 'categories kept per categorical column (default 20)', binCount)
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical', columnList)
    .addOption(new Option('--method <method>', 'PSI definition pinned in the baseline').choices(PSI_METHODS))
    .action((options: BaselineOptions) => baselineCommand(options).catch(fail));
  program
    .command('policies')
    .description('work with policy specs')
    .command('check')
    .description('validate policy spec files (or folders of them) and list what each policy does')
    .argument('<files...>', 'policy spec files or folders')
    .action((files: string[]) => {
      try {
        policiesCheckCommand(files);
      } catch (error) {
        fail(error);
      }
    });
  return program;
}

await buildProgram().parseAsync(process.argv);
