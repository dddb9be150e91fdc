import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, stopAllServers, type ServerProcess } from '../support/server-process.js';

/** `mlwarden baseline` registers a CSV file's columns as baselines with a running server, through the API. */
const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN = 'admin-token-for-baseline-cli-0001';
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'mlwarden-baseline-cli-')), env: { MLWARDEN_ADMIN_TOKEN: ADMIN } });
}, 60_000);
afterAll(() => stopAllServers());

function baseline(args: string[], token: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'baseline', '--server', server.url, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MLWARDEN_ADMIN_TOKEN: token },
    timeout: 60_000,
  });
}

describe('mlwarden baseline', () => {
  test('registers every column of the CSV file, numeric or categorical', () => {
    const result = baseline(['--csv', 'test/fixtures/psi/reference.csv', '--model', 'fraud', '--categorical', 'plan'], ADMIN);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('registered baselines for fraud: score, country, age, plan\n');
  });

  test('a wrong token is refused with the server\'s reason and a non-zero exit', () => {
    const result = baseline(['--csv', 'test/fixtures/psi/reference.csv', '--model', 'fraud'], 'not-the-admin-token-000000');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/refused the baselines \(401\)/);
  });
});
