import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, isAlive, killAll, killOnExit } from './child-processes.js';

/**
 * A real `clickhouse-server` (Debian's 18.16) on loopback, for transport, authentication and fault
 * tests of the remote store. 18.16 is far older than our schema (no DateTime64, Map, codecs, nor
 * query parameters `{name:Type}`), so tests use it only with simple, 18.16-compatible SQL.
 *
 * Each server gets its own temporary directory (data, tmp, logs, generated config), random free HTTP
 * and TCP ports on 127.0.0.1, and no interserver port (18.16 opens one only when configured). Users:
 * `default` (no password, loopback only) for test setup and observation, and `mlwarden` with a
 * generated password, which is what the code under test connects as.
 *
 * Every process started here is tracked: call stopAllClickHouseServers() (or server.destroy()) in
 * afterAll; a process-exit hook SIGKILLs any survivor as a last resort. 18.16 runs fine as root
 * (it does not refuse or need a flag, unlike recent releases that want the data owner's uid).
 */

const BINARY_CANDIDATES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Path of the clickhouse-server binary: $CLICKHOUSE_SERVER_BIN, the Debian location, or PATH. */
export function clickhouseServerBinary(): string | undefined {
  const fromEnv = process.env.CLICKHOUSE_SERVER_BIN;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'clickhouse-server'));
  return [...BINARY_CANDIDATES, ...onPath].find(isExecutable);
}

/** True when a clickhouse-server binary is installed (`apt-get install -y clickhouse-server`). */
export function clickhouseServerAvailable(): boolean {
  return clickhouseServerBinary() !== undefined;
}

export interface ClickHouseServer {
  /** http://127.0.0.1:HTTP_PORT */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** The user the code under test connects as, and its password. */
  readonly user: string;
  readonly password: string;
  /** Temporary directory holding config, data and logs (removed by destroy()). */
  readonly dir: string;
  /** Pid of the running process, undefined while stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** (Re)starts on the same ports and data directory; resolves once /ping answers. No-op if running. */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM), SIGKILL after a timeout. */
  stop(): Promise<void>;
  /** kill -9: no shutdown code runs; in-flight requests see their connection drop. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its sockets but stops answering, like a hung host. */
  pause(): void;
  resume(): void;
  /** Kills the process (if running) and removes the directory. */
  destroy(): Promise<void>;
  /** Process output and the error log tail, for assertion messages. */
  describe(): string;
}

const live = new Set<ChildProcess>();



function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

function serverConfig(dir: string, httpPort: number, tcpPort: number): string {
  const p = (sub: string) => xml(join(dir, sub));
  // Minimal config 18.16 accepts: ports, listen_host, paths, users file, profile/database defaults.
  // No interserver_http_port: 18.16 then opens no interserver listener. Paths must end with '/'.
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${p('log/clickhouse-server.log')}</log>
    <errorlog>${p('log/clickhouse-server.err.log')}</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${p('data')}/</path>
  <tmp_path>${p('tmp')}/</tmp_path>
  <user_files_path>${p('user_files')}/</user_files_path>
  <format_schema_path>${p('format_schemas')}/</format_schema_path>
  <users_config>${p('users.xml')}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
`;
}

function usersConfig(user: string, password: string): string {
  const loopback = '<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>';
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>1000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      ${loopback}
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <${user}>
      <password>${xml(password)}</password>
      ${loopback}
      <profile>default</profile>
      <quota>default</quota>
    </${user}>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}

function tail(file: string, chars: number): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

/** GET /ping on a fresh connection that is closed afterwards: an idle keep-alive socket would delay a graceful stop. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port, path: '/ping', agent: false, headers: { connection: 'close' }, timeout: 1000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body.startsWith('Ok.')));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StartClickHouseServerOptions {
  /** Password of the `mlwarden` user (default: generated, with characters that need encoding). */
  password?: string;
}

/** Starts a clickhouse-server on random loopback ports; resolves once /ping answers. */
export async function startClickHouseServer(options: StartClickHouseServerOptions = {}): Promise<ClickHouseServer> {
  const binary = clickhouseServerBinary();
  if (!binary) throw new Error('clickhouse-server is not installed (apt-get install -y clickhouse-server clickhouse-client)');

  const dir = mkdtempSync(join(tmpdir(), 'mlwarden-clickhouse-'));
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  const user = 'mlwarden';
  const password = options.password ?? `mlw-${randomBytes(6).toString('hex')}-p@ss:&<w0rd>`;
  writeFileSync(join(dir, 'users.xml'), usersConfig(user, password));
  const configFile = join(dir, 'config.xml');

  let httpPort = 0;
  let tcpPort = 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const describe = () =>
    [
      `clickhouse-server (${binary}, dir ${dir}, http ${httpPort}, tcp ${tcpPort}) ${child && isAlive(child) ? `running pid ${child.pid}` : 'not running'}`,
      `output (tail):\n${output.slice(-3000) || '(empty)'}`,
      `error log (tail):\n${tail(join(dir, 'log/clickhouse-server.err.log'), 3000) || '(empty)'}`,
    ].join('\n');

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(binary, [`--config-file=${configFile}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    killOnExit(proc);
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    let spawnError: Error | undefined;
    proc.once('error', (error) => {
      spawnError = error;
    });
    exited = new Promise<void>((done) => {
      proc.once('close', () => {
        live.delete(proc);
        done();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`could not spawn clickhouse-server: ${spawnError.message}`);
      if (!isAlive(proc)) {
        await exited;
        throw new Error(`clickhouse-server exited during startup (code ${proc.exitCode}, signal ${proc.signalCode})\n${describe()}`);
      }
      if (await pingOnce(httpPort)) return;
      await sleep(50);
    }
    proc.kill('SIGKILL');
    await exited;
    throw new Error(`clickhouse-server did not answer /ping within ${START_TIMEOUT_MS} ms\n${describe()}`);
  };

  const kill = async (): Promise<void> => {
    if (child && isAlive(child)) child.kill('SIGKILL');
    await exited;
  };

  const start = async (): Promise<void> => {
    if (child && isAlive(child)) return;
    await launch();
  };

  // First start: pick ports; if another process grabbed one between probing and binding, pick again.
  for (let attempt = 1; ; attempt++) {
    httpPort = await freePort();
    do tcpPort = await freePort();
    while (tcpPort === httpPort);
    writeFileSync(configFile, serverConfig(dir, httpPort, tcpPort));
    try {
      await launch();
      break;
    } catch (error) {
      const portClash = /address already in use|DB::NetException/i.test(`${output}\n${tail(join(dir, 'log/clickhouse-server.err.log'), 5000)}`);
      if (!portClash || attempt >= 3) {
        await kill();
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  return {
    get url() {
      return `http://127.0.0.1:${httpPort}`;
    },
    httpPort,
    tcpPort,
    user,
    password,
    dir,
    get pid() {
      return child && isAlive(child) ? child.pid : undefined;
    },
    get running() {
      return child !== undefined && isAlive(child);
    },
    start,
    kill,
    async stop() {
      if (!child || !isAlive(child)) return;
      const proc = child;
      proc.kill('SIGTERM');
      proc.kill('SIGCONT'); // a paused server only sees the SIGTERM once it runs again
      const timer = setTimeout(() => {
        if (isAlive(proc)) proc.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    pause() {
      if (child && isAlive(child)) child.kill('SIGSTOP');
    },
    resume() {
      if (child && isAlive(child)) child.kill('SIGCONT');
    },
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    describe,
  };
}

/** SIGKILLs every clickhouse-server started by this module that is still running, and waits for them. */
export async function stopAllClickHouseServers(): Promise<void> {
  await killAll(live);
}
