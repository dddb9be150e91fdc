import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate, openStore, writeDriftScores, type DriftScoreRecord } from '../../src/store/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'mlwarden-backtest-'));
const dataDir = join(dir, 'data');
const policyFile = join(dir, 'policies.yaml');

beforeAll(async () => {
  // The embedded store binds its directory to one process: seed it, close it, then the CLI opens it.
  const store = await openStore({ dataDir, database: 'mlwarden', retentionDays: 3650 });
  await migrate(store.client, { database: 'mlwarden', retentionDays: 3650 });
  const rows: DriftScoreRecord[] = Array.from({ length: 12 }, (_, i) => ({
    ts: T0 + (i + 1) * H, window_start: T0 + i * H, model: 'fraud', version: '', feature: 'amount', psi: i >= 2 && i < 8 ? 0.5 : 0.01, threshold: 0.1,
    n_reference: 5000, n_current: 800, status: i >= 2 && i < 8 ? 'drifting' : 'ok', computed_at: T0 + (i + 1) * H,
  }));
  await writeDriftScores(store.client, 'mlwarden', rows);
  await store.close();
  writeFileSync(policyFile, `apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-fraud }
spec:
  trigger: { drift_episode: { model: fraud } }
  action: { retrain: { target: { argo: { workflow_template: retrain-fraud, namespace: ml } } } }
`);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, MLWARDEN_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.once('exit', (code) => done({ code, stdout, stderr })));
}

describe('mlwarden backtest', () => {
  test('replays the stored drift of a day through a policy file and reports the retrain it would have started', async () => {
    const { code, stdout, stderr } = await cli(['backtest', '--data-dir', dataDir, '--policies', policyFile, '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T12:00:00Z', '--format', 'json']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { rows: Array<{ policy: string; kind: string; outcome: string; at: number }>; comparison: { liveOnly: string[] } };
    const acting = report.rows.filter((r) => r.outcome === 'would-act');
    expect(acting).toEqual([expect.objectContaining({ policy: 'retrain-fraud', kind: 'retrain', at: T0 + 5 * H })]);
    expect(report.comparison.liveOnly).toEqual([]);
  }, 60_000);

  test('a reversed period is refused, naming the option', async () => {
    const { code, stderr } = await cli(['backtest', '--data-dir', dataDir, '--policies', policyFile, '--from', '2026-11-21T00:00:00Z', '--to', '2026-11-20T00:00:00Z']);
    expect(code).toBe(2);
    expect(stderr).toContain('--to must be after --from');
  }, 30_000);
});
