import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAlive, killAll, killOnExit } from './child-processes.js';

/**
 * The real `mlwarden serve` in a child process (node --import tsx src/cli.ts), for tests that need a
 * real socket, a real process boundary or a real kill -9. Every process started here is tracked:
 * call stopAllServers() in afterAll, and a process-exit hook SIGKILLs any survivor as a last resort.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const KEPT_LINES = 400;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartServerOptions {
  /** Embedded store directory (--data-dir). Reuse one to restart on the same data. */
  dataDir: string;
  /** Configuration written to a file passed with --config (YAML accepts JSON), e.g. { ingest: { max_pending_rows: 100 } }. */
  config?: Record<string, unknown>;
  /** Extra environment; inherited MLWARDEN_* variables are dropped so the test is hermetic. */
  env?: Record<string, string>;
  /** Flags for node itself, before the script (e.g. --max-old-space-size=128). */
  nodeArgs?: string[];
  /** How long to wait for the "mlwarden listening" log line (default 60 s). */
  startTimeoutMs?: number;
}

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ServerExit>;
  /** Sends a signal and waits for the process to exit. SIGKILL is a kill -9: no handler runs. */
  kill(signal?: NodeJS.Signals): Promise<ServerExit>;
  /** Graceful stop (SIGTERM: commits accepted telemetry); SIGKILL if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<ServerExit>;
  /** Parsed JSON log lines seen on stdout (the most recent few hundred). */
  logs(): Array<Record<string, unknown>>;
  /** Collected stderr (tail). */
  stderr(): string;
  /** The process's current and peak resident set size in bytes, from /proc (Linux); undefined elsewhere or once exited. */
  memory(): { rssBytes: number; peakRssBytes: number } | undefined;
  /** A summary for assertion messages: pid, exit status, stderr tail and the last log lines. */
  describe(): string;
}

const live = new Set<ChildProcess>();

function hermeticEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('MLWARDEN_')) env[name] = value;
  }
  return { ...env, MLWARDEN_HOST: '127.0.0.1', ...extra };
}


function readProcStatus(pid: number): { rssBytes: number; peakRssBytes: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const rssBytes = kb('VmRSS');
    const peakRssBytes = kb('VmHWM');
    return Number.isFinite(rssBytes) && Number.isFinite(peakRssBytes) ? { rssBytes, peakRssBytes } : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `mlwarden serve --port 0` and resolves once it logs that it listens (rejects with its output otherwise). */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--data-dir', options.dataDir];
  let configDir: string | undefined;
  if (options.config) {
    configDir = mkdtempSync(join(tmpdir(), 'mlwarden-config-'));
    const file = join(configDir, 'mlwarden.yaml');
    writeFileSync(file, JSON.stringify(options.config, null, 2));
    args.push('--config', file);
  }
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: hermeticEnv(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  killOnExit(child);
  const pid = child.pid;

  const lines: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let stderrText = '';
  let partial = '';
  let onLog: ((entry: Record<string, unknown>) => void) | undefined;

  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (logs.length > KEPT_LINES) logs.shift();
        onLog?.(entry);
      } catch {
        // not a JSON log line; kept in `lines` for describe()
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrText = (stderrText + chunk).slice(-20_000);
  });

  const exited = new Promise<ServerExit>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (configDir) rmSync(configDir, { recursive: true, force: true });
      done({ code, signal });
    });
  });
  let exitStatus: ServerExit | undefined;
  void exited.then((status) => (exitStatus = status));

  const describeProcess = () =>
    [
      `mlwarden serve (pid ${pid ?? '?'}, data dir ${options.dataDir}) ${exitStatus ? `exited code=${exitStatus.code} signal=${exitStatus.signal}` : 'running'}`,
      `stderr (tail):\n${stderrText.slice(-4000) || '(empty)'}`,
      `stdout (last lines):\n${lines.slice(-30).join('\n') || '(empty)'}`,
    ].join('\n');

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<ServerExit> => {
    if (isAlive(child)) child.kill(signal);
    return exited;
  };

  const port = await new Promise<number>((resolvePort, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      void kill('SIGKILL').then(() => reject(new Error(`mlwarden did not log "mlwarden listening" within ${timeoutMs} ms\n${describeProcess()}`)));
    }, timeoutMs);
    const check = (entry: Record<string, unknown>) => {
      if (entry.msg === 'mlwarden listening' && typeof entry.port === 'number') {
        clearTimeout(timer);
        onLog = undefined;
        resolvePort(entry.port);
      }
    };
    for (const entry of logs) check(entry);
    onLog = check;
    void exited.then(() => {
      clearTimeout(timer);
      // Let the stdio streams drain so the message carries the reason.
      setTimeout(() => reject(new Error(`mlwarden exited before listening\n${describeProcess()}`)), 50);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not spawn mlwarden: ${error.message}`));
    });
  });

  return {
    pid: pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    kill,
    async stop(timeoutMs = 30_000) {
      if (!isAlive(child)) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (isAlive(child)) child.kill('SIGKILL');
      }, timeoutMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
    logs: () => [...logs],
    stderr: () => stderrText,
    memory: () => (isAlive(child) && pid !== undefined ? readProcStatus(pid) : undefined),
    describe: describeProcess,
  };
}

/** SIGKILLs every server process started by this module that is still running, and waits for them. */
export async function stopAllServers(): Promise<void> {
  await killAll(live);
}

/** Reads one sample (unlabelled, or matching every given label) from a Prometheus text exposition. */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}
