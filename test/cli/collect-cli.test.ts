import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { killOnExit, freePort } from '../support/child-processes.js';
import { startServer, stopAllServers } from '../support/server-process.js';
import { startMetricsServer } from '../collectors/serving/metrics-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/collectors');
const INGEST = 'ingest-token-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-collect-'));
const otherDataDir = mkdtempSync(join(tmpdir(), 'mlwarden-collect-'));
afterAll(async () => {
  await stopAllServers();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(otherDataDir, { recursive: true, force: true });
});

interface Summary {
  telemetry: Array<{ kind: string; records: number; events: number }>;
}

async function summary(url: string): Promise<Summary> {
  const response = await fetch(`${url}/v1/telemetry/summary?from=2000-01-01T00:00:00Z`, { headers: { authorization: `Bearer ${INGEST}` } });
  return (await response.json()) as Summary;
}

const eventsOf = (s: Summary, kind: string) => s.telemetry.filter((k) => k.kind === kind).reduce((sum, k) => sum + k.events, 0);

describe('collectors', () => {
  test('inside serve: a dcgm-exporter endpoint in the config becomes GPU rows in the store, health on /metrics', async () => {
    const dcgm = await startMetricsServer(readFileSync(join(FIXTURES, 'gpu/dcgm-exporter-a100-k8s.prom'), 'utf8'));
    const server = await startServer({ dataDir, config: { auth: { ingest_tokens: [INGEST] }, collectors: { gpu: [{ dcgm_url: dcgm.url, node: 'gpu-node-1', interval_s: 1 }] } } });
    let gpuRows = 0;
    for (let i = 0; i < 100 && gpuRows === 0; i++) {
      gpuRows = eventsOf(await summary(server.url), 'gpu');
      if (gpuRows === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(gpuRows).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/mlwarden_collector_records_total\{collector="dcgm",kind="gpu"\} [1-9]/);
    expect(metrics).toContain('mlwarden_collector_last_success_timestamp_seconds{collector="dcgm"}');
    await server.stop();
    await dcgm.close();
  }, 60_000);

  test('mlwarden collect serving: a Triton endpoint scraped on its own process lands as request batches, with the ingest token', async () => {
    const triton = await startMetricsServer(readFileSync(join(FIXTURES, 'serving/triton-1.prom'), 'utf8'));
    const server = await startServer({ dataDir: otherDataDir, config: { auth: { ingest_tokens: [INGEST] } } });
    const before = eventsOf(await summary(server.url), 'requests');
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'collect', 'serving', '--server', server.url, '--target', `url=${triton.url},flavour=triton`, '--interval', '1', '--metrics-port', String(metricsPort)], {
      cwd: ROOT, env: { ...process.env, MLWARDEN_INGEST_TOKEN: INGEST, MLWARDEN_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((r) => setTimeout(r, 2_500)); // the first scrape only sets the baseline
    triton.answer.body = readFileSync(join(FIXTURES, 'serving/triton-2.prom'), 'utf8');
    let requests = before;
    for (let i = 0; i < 100 && requests === before; i++) {
      requests = eventsOf(await summary(server.url), 'requests');
      if (requests === before) await new Promise((r) => setTimeout(r, 200));
    }
    expect(requests, stderr).toBeGreaterThan(before);
    const health = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(health).toMatch(/mlwarden_collector_records_total\{collector="serving",kind="requests"\} [1-9]/);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    await server.stop();
    await triton.close();
  }, 60_000);

  test('mlwarden collect with a bad target names the field and exits 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'collect', 'serving', '--target', 'url=http://x/metrics,flavour=tensorflow'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('collectors.serving.targets.0.flavour');
  }, 30_000);
});
