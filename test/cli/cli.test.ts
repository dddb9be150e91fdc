import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function mlwarden(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the mlwarden command', () => {
  test('--help lists serve and migrate', () => {
    const { status, stdout } = mlwarden(['--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/serve \[options\]/);
    expect(stdout).toMatch(/migrate \[options\]/);
  });

  test('migrate applies the schema once, then reports it current', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-cli-'));
    const first = mlwarden(['migrate', '--data-dir', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/applied:\n {2}1 telemetry tables/);
    const second = mlwarden(['migrate', '--data-dir', dataDir]);
    expect(second.stdout).toMatch(/schema is current \(version \d+\)/);
  });

  test('a bad configuration value stops serve with exit code 2, the field and the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlwarden-cli-'));
    const file = join(dir, 'mlwarden.yaml');
    writeFileSync(file, 'store:\n  retention_days: -3\n');
    const { status, stderr } = mlwarden(['serve', '--config', file]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/store\.retention_days/);
    expect(stderr).toMatch(new RegExp(`config file ${file}`));
  });

  test('an invalid --port is refused before anything starts', () => {
    const { status, stderr } = mlwarden(['serve', '--port', 'http']);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/must be an integer 0\.\.65535/);
  });
});

describe('mlwarden rules', () => {
  test('prints Prometheus rule groups for a Sloth spec, keeping its alert name', () => {
    const { status, stdout } = mlwarden(['rules', 'examples/slos/sloth-ranker.yaml', '--mode', 'sloth']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^groups:/m);
    expect(stdout).toMatch(/record: slo:sli_error:ratio_rate5m/);
    expect(stdout).toMatch(/sloth_severity: page/);
  });

  test('a spec that cannot be loaded exits 2 naming file, document and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlwarden-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: mlwarden.dev/v1\nkind: SLO\nmetadata: { name: x }\nspec: { objective: 120, sli: { type: availability } }\n');
    const { status, stderr } = mlwarden(['rules', file]);
    expect(status).toBe(2);
    expect(stderr).toContain(`${file}#0 spec.objective`);
  });
});

describe('mlwarden policies check', () => {
  test('lists each valid policy of the examples with its trigger and action', () => {
    const { status, stdout } = mlwarden(['policies', 'check', 'examples/policies']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/ok {2}retrain-fraud-on-drift: drift_episode → retrain/);
    expect(stdout).toMatch(/\d+ policies valid/);
  });

  test('an invalid policy exits 2 naming file, document and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlwarden-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: mlwarden.dev/v1\nkind: Policy\nmetadata: { name: p }\nspec: { trigger: { drift_episode: { model: m } } }\n');
    const { status, stderr } = mlwarden(['policies', 'check', file]);
    expect(status).toBe(2);
    expect(stderr).toContain(`${file}#0`);
  });
});
