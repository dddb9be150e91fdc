import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Shared by the helpers that run real servers (mlwarden, clickhouse-server, alertmanager) in tests. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** SIGKILLs the child if the test process exits first, so no server outlives its test file. */
export function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** A loopback port free right now (the caller binds it soon after; retry on a clash). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** SIGKILLs each child still running (and drops it from `live`), resolving once all have exited. */
export async function killAll(live: Set<ChildProcess>): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((done) => {
          if (!isAlive(child)) {
            live.delete(child);
            done();
            return;
          }
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}
