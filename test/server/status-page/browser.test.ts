import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { V1Job } from '@kubernetes/client-node';
import { Hono } from 'hono';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_DRIFT_SETTINGS, evaluateModelDrift, evaluateSlo, type ModelDrift, type SloEvaluation } from '../../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../../src/domain/slo/index.js';
import { readGpuCluster } from '../../../src/orchestration/gpu-cluster.js';
import { KubeObjects } from '../../../src/orchestration/index.js';
import { authenticator, serveHttp, sloView, statusPageRoutes, type GpuPoolView, type RunningServer } from '../../../src/server/index.js';
import { AlertHistory, BaselineStore, WindowBinner, windowCounts } from '../../../src/store/index.js';
import { FAST_BACKOFF, fraudDrift, MIN, policiesFrom, startCluster, startEngine, type Cluster, type Engine } from '../../orchestration/policy-harness.js';
import { seededRandom } from '../../support/random.js';
import { ADMIN_TOKEN, INGEST_TOKEN, post, testApp, type TestApp } from '../../support/test-app.js';
import { openTestStore, type TestStore } from '../../support/test-store.js';

/**
 * The status page in a real browser over real data: requests and features through the ingest API,
 * SLOs scored by the real evaluator, drift by the real drift evaluator, GPU jobs on the Kubernetes
 * emulator, and an action awaiting approval from a real PolicyEngine, which is also the approver.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = resolve(import.meta.dirname, '../../../test-results/status-page');
const DOC_SHOT = resolve(import.meta.dirname, '../../../docs/status-page.png');
const H = 60 * MIN;
const INGEST = { authorization: `Bearer ${INGEST_TOKEN}` };
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

const SPECS = `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: fraud-availability }
spec: { objective: 99.9, window: 30d, sli: { type: availability, model: fraud }, alerting: { min_events: 100 } }
---
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: fraud-latency }
spec: { objective: 99, window: 30d, sli: { type: latency, model: fraud, threshold_ms: 250 }, alerting: { min_events: 100 } }
---
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: ranker-availability }
spec: { objective: 99.5, window: 28d, sli: { type: availability, model: ranker }, alerting: { min_events: 100 } }
`;
const RETRAIN = `
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-fraud }
spec:
  trigger: { drift_episode: { model: fraud } }
  action: { retrain: { target: { kfp: { pipeline_id: fraud-pipeline, pipeline_version_id: fraud-v3, experiment_id: retrain } } } }
  guardrails: { require_approval: true }
`;

const gpuJob = (name: string, priorityClass: string, gpus: number): V1Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'training' },
  spec: { template: { spec: { restartPolicy: 'Never', priorityClassName: priorityClass, containers: [{ name: 'train', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }] } } },
});

const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`status page browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium); with CI set it fails instead`);

let t: TestStore;
let cluster: Cluster;
let engine: Engine;
let h: TestApp;
let server: RunningServer;
let browser: Browser;
let slos: Slo[];
let waitingId: string;
const evaluations = new Map<string, SloEvaluation>();
let drift: ModelDrift;

async function seedTelemetry(now: number): Promise<void> {
  const random = seededRandom(3);
  const requests = [];
  for (let m = 1; m <= 6 * 60; m++) {
    for (let i = 0; i < 10; i++) {
      const ts = now - m * MIN + i * 1000;
      const error = m <= 60 ? i < 1 && m % 3 === 0 : false; // about 3% errors over the last hour: fraud-availability burns
      requests.push({ ts, model: 'fraud', version: 'v1', status: error ? 503 : 200, latency_ms: 20 + random() * (m <= 30 ? 600 : 120) });
    }
  }
  for (let i = 0; i < requests.length; i += 5000) expect((await post(h.app, 'requests', requests.slice(i, i + 5000), INGEST)).status).toBe(200);
  const normal = () => random() + random() + random();
  const reference = { amount: { values: Array.from({ length: 3000 }, normal) }, tenure: { values: Array.from({ length: 3000 }, normal) } };
  const created = await h.app.request('/v1/baselines', { method: 'POST', headers: ADMIN, body: JSON.stringify({ model: 'fraud', features: reference }) });
  expect(created.status, await created.clone().text()).toBe(201);
  const features = [];
  for (let w = 1; w <= 6; w++) {
    for (let i = 0; i < 400; i++) {
      const ts = now - w * H + i * 5000;
      features.push({ ts, model: 'fraud', version: 'v1', feature: 'amount', value: normal() + (w <= 3 ? 0.8 : 0) });
      features.push({ ts, model: 'fraud', version: 'v1', feature: 'tenure', value: normal() });
    }
  }
  expect((await post(h.app, 'features', features, INGEST)).status).toBe(200);
}

async function gpuView(): Promise<GpuPoolView> {
  const read = await readGpuCluster(new KubeObjects(cluster.apis.custom, FAST_BACKOFF), cluster.apis.core);
  return {
    capacity: read.capacity, used: read.used, utilisation: null,
    jobs: read.workloads.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, phase: w.phase, utilisation: null, suspendedBy: w.suspendedBy ?? null })),
  };
}

beforeAll(async () => {
  if (skip) return;
  t = await openTestStore();
  cluster = await startCluster({ gpus: 4 });
  const now = cluster.clock.now();
  engine = startEngine(cluster, t, policiesFrom(RETRAIN));
  engine.inputs.drift = [fraudDrift()];
  await engine.engine.pass();
  await engine.engine.pass();
  const [waiting] = await engine.log.list();
  expect(waiting?.status).toBe('awaiting-approval');
  waitingId = waiting!.id;
  await cluster.apis.batch.createNamespacedJob({ namespace: 'training', body: gpuJob('nightly-finetune', 'low', 2) });
  await cluster.apis.batch.createNamespacedJob({ namespace: 'training', body: gpuJob('fraud-retrain', 'high', 2) });
  cluster.scheduler.reconcile();

  h = testApp(t, { tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] }, approver: engine.engine, now: cluster.clock.now });
  await seedTelemetry(now);
  slos = loadSloSpecs([{ name: 'status.yaml', text: SPECS }], now);
  for (const slo of slos) evaluations.set(slo.name, await evaluateSlo((q) => windowCounts(t.store.client, t.ctx.database, q), slo, now + 30_000));
  const binner = new WindowBinner(t.store.client, t.ctx.database);
  drift = await evaluateModelDrift((q) => binner.bins(q), 'fraud', await new BaselineStore(t.store.client, t.ctx.database).list(), now, { ...DEFAULT_DRIFT_SETTINGS, windowMs: H, lookbackWindows: 6 });

  const root = new Hono();
  root.route('/', statusPageRoutes({
    auth: authenticator({ ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] }),
    now: cluster.clock.now,
    slos: () => slos.map((s) => sloView(s, { latest: (n) => evaluations.get(n), lastError: () => undefined, alerts: () => [] })),
    history: (name) => new AlertHistory(t.store.client, t.ctx.database).forSlo(name, 100),
    drift: () => [drift],
    gpu: gpuView,
    actions: (limit) => engine.log.list({ limit }),
    approver: engine.engine,
  }));
  root.route('/', h.app);
  server = await serveHttp(root, '127.0.0.1', 0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
  await cluster?.close();
  await t?.close();
});

/** A page that records console errors and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  // The browser signs in as it would after the page's Basic prompt: any user name, a read token as password.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, httpCredentials: { username: 'viewer', password: INGEST_TOKEN } });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

async function decide(page: Page, token: string | undefined): Promise<number> {
  await page.goto(`${server.url}/#actions`);
  const row = page.locator(`[id="action-${waitingId}"]`);
  if (token !== undefined) await row.getByLabel('Admin token').fill(token);
  await row.getByLabel('Your name').fill('alice');
  const [response] = await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: 'Approve' }).click()]);
  return response?.status() ?? 0;
}

describe.skipIf(skip)('the status page in Chromium', () => {
  test('loads without console errors and shows every SLO, the drift heatmap and the GPU pool', async () => {
    const { page, errors } = await openPage();
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    for (const slo of slos) await expect(page.getByRole('link', { name: slo.name, exact: true }).isVisible()).resolves.toBe(true);
    const rows = page.locator('#slo-table tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('#slo-table').textContent()).toMatch(/burning/);
    expect(await page.locator('#slo-table').textContent()).toMatch(/no data/);
    expect(await page.locator('table.heatmap tbody tr').count()).toBe(2);
    expect(await page.locator('table.heatmap td[title*="amount"][title*="drifting"]').count()).toBeGreaterThan(0);
    const gpu = await page.locator('#gpu-jobs').textContent();
    expect(gpu).toContain('training/fraud-retrain');
    expect(gpu).toContain('training/nightly-finetune');
    expect(await page.locator(`[id="action-${waitingId}"]`).textContent()).toContain('awaiting-approval');
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
    copyFileSync(join(SHOTS, 'overview.png'), DOC_SHOT);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('an SLO page draws its charts and a heatmap cell opens the feature histograms', async () => {
    const { page, errors } = await openPage();
    await page.goto(server.url);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'fraud-latency', exact: true }).click()]);
    expect(await page.locator('svg#burn-by-window polyline').count()).toBe(1);
    expect(await page.locator('svg#bad-share title').first().textContent()).toContain('Requests slower than 250 ms');
    await page.screenshot({ path: join(SHOTS, 'slo-detail.png'), fullPage: true });
    await page.goto(server.url);
    await Promise.all([page.waitForNavigation(), page.locator('table.heatmap td[title*="amount"][title*="drifting"] a').first().click()]);
    expect(page.url()).toContain('/drift/fraud/amount?window=');
    expect(await page.locator('svg#histogram rect').count()).toBeGreaterThan(4);
    await page.screenshot({ path: join(SHOTS, 'drift-feature.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('approving without the admin token is refused and the action stays awaiting approval', async () => {
    const { page } = await openPage();
    expect(await decide(page, 'not-the-admin-token')).toBe(401);
    expect(await page.getByRole('alert').textContent()).toContain('The token is not recognised');
    expect(await page.content()).not.toContain('not-the-admin-token');
    expect(await decide(page, INGEST_TOKEN)).toBe(403);
    expect(await page.getByRole('alert').textContent()).toContain('does not grant the admin scope');
    await page.screenshot({ path: join(SHOTS, 'refused.png') });
    expect((await engine.log.get(waitingId))?.status).toBe('awaiting-approval');
    await page.close();
  });

  test('a form posted from another origin is refused even with the admin token', async () => {
    const { page } = await openPage();
    await page.setContent(`<form method="post" action="${server.url}/actions/${waitingId}/approve"><input name="token" value="${ADMIN_TOKEN}"><button>go</button></form>`);
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'go' }).click()]);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toContain('did not come from this status page');
    expect((await engine.log.get(waitingId))?.status).toBe('awaiting-approval');
    await page.close();
  });

  test('with the admin token the action is approved, and the page says so', async () => {
    const { page, errors } = await openPage();
    expect(await decide(page, ADMIN_TOKEN)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('status').first().textContent()).toMatch(/is now proposed/);
    const approved = await engine.log.get(waitingId);
    expect(approved?.status).toBe('proposed');
    expect(approved?.actor).toBe('alice (status page)');
    expect(await page.locator(`[id="action-${waitingId}"] form`).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
