import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { deadUrl } from './ingest-double.js';

describe('the feature client in a process that never closes it', () => {
  test('the process exits on its own: the interval and a pending one-minute retry are unref()ed', async () => {
    const script = join(import.meta.dirname, 'fixtures', 'never-closed.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, await deadUrl()], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', (c) => {
        clearTimeout(killer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    // It did try and is now waiting a minute to retry: only unref()ed timers could let it exit.
    expect(JSON.parse(out)).toMatchObject({ recorded: 1, retries: 1, pendingObservations: 1 });
  });
});
