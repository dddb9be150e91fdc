import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killOnExit } from './child-processes.js';

/**
 * A real Alertmanager (Debian `prometheus-alertmanager`) on loopback, for delivery tests: temp config and
 * storage, a free port, clustering off. Every process started here is stopped by stop() and, as a last
 * resort, SIGKILLed when the test process exits.
 */

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';
export const ALERTMANAGER_PACKAGE = 'prometheus-alertmanager';

/** A receiver that delivers nowhere: the tests read alerts back through the API. */
const DEFAULT_CONFIG = `route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: blackhole
`;

export function alertmanagerAvailable(): boolean {
  return existsSync(ALERTMANAGER_BINARY);
}

/**
 * Why a test needing Alertmanager should skip, or undefined to run it. In CI a missing binary is not a
 * reason: the test runs and fails, because .ci/run must install the package.
 */
export function alertmanagerSkipReason(): string | undefined {
  if (alertmanagerAvailable() || process.env.CI) return undefined;
  return `${ALERTMANAGER_BINARY} is not installed (apt-get install -y ${ALERTMANAGER_PACKAGE}); skipped outside CI only`;
}

/** An alert as GET /api/v2/alerts returns it (`gettableAlert`). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  fingerprint: string;
  receivers: Array<{ name: string }>;
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** Query parameters of GET /api/v2/alerts; `filter` takes matchers such as `alertname="X"`. */
export interface AlertsQuery {
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
  filter?: string[];
}

export interface RunningAlertmanager {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  alerts(query?: AlertsQuery): Promise<GettableAlert[]>;
  /** Stderr so far (Alertmanager logs there), for assertion messages. */
  log(): string;
  stop(): Promise<void>;
}



async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`alertmanager exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alertmanager at ${url} not ready within ${timeoutMs} ms:\n${log()}`);
}

async function stopChild(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

async function launch(dir: string, configFile: string): Promise<RunningAlertmanager> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(ALERTMANAGER_BINARY, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    `--web.external-url=${url}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  killOnExit(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  const log = () => stderr;
  try {
    await waitReady(url, child, log, 15_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    url,
    port,
    log,
    async alerts(query = {}) {
      const params = new URLSearchParams();
      for (const key of ['active', 'silenced', 'inhibited', 'unprocessed'] as const) {
        if (query[key] !== undefined) params.set(key, String(query[key]));
      }
      for (const f of query.filter ?? []) params.append('filter', f);
      const response = await fetch(`${url}/api/v2/alerts?${params}`);
      if (!response.ok) throw new Error(`GET /api/v2/alerts: HTTP ${response.status}: ${await response.text()}`);
      return (await response.json()) as GettableAlert[];
    },
    async stop() {
      await stopChild(child);
    },
  };
}

/** Starts Alertmanager with `config` (YAML; default: one receiver that sends nowhere) and waits for /-/ready. */
export async function startAlertmanager(options: { config?: string } = {}): Promise<RunningAlertmanager> {
  if (!alertmanagerAvailable()) throw new Error(`${ALERTMANAGER_BINARY} is missing: apt-get install -y ${ALERTMANAGER_PACKAGE}`);
  const dir = mkdtempSync(join(tmpdir(), 'mlwarden-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, options.config ?? DEFAULT_CONFIG);
  let lastError: unknown;
  // A port picked as free can be taken before Alertmanager binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const am = await launch(dir, configFile);
      return { ...am, stop: async () => { await am.stop(); rmSync(dir, { recursive: true, force: true }); } };
    } catch (error) {
      lastError = error;
      if (!String(error).includes('address already in use')) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
