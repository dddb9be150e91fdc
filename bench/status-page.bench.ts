/**
 * The status page at fleet scale: GET / with 100 SLOs (real evaluations over synthetic counts), one
 * model with 200 features × 12 windows scored by the real drift evaluator, 50 actions and 40 GPU jobs.
 *
 * Measured in the same run, interleaved rounds, through app.request (no socket):
 * - status page: GET / from statusPageRoutes, server-rendered HTML.
 * - baseline: the JSON API's views of the same data (sloView, driftView, actionView) as one c.json response.
 * Targets: a render under 1 s, and the ratio to the JSON baseline is reported (HTML does more: it is
 * not a target, only a figure to watch between runs).
 */
import { Hono } from 'hono';
import { actionView, authenticator, driftView, statusPageRoutes, type GpuPoolView } from '../src/server/index.js';
import { action, modelDrift, NOW, sloSummaries } from '../test/server/status-page/status-fixtures.js';
import type { BenchModule, BenchReport } from './run.js';

const SLOS = 100;
const FEATURES = 200;
const ROUNDS = Number(process.env.BENCH_STATUS_ROUNDS ?? 20);
const TARGET_MS = 1000;

const gpu: GpuPoolView = {
  capacity: 64, used: 60, utilisation: 0.71,
  jobs: Array.from({ length: 40 }, (_, i) => ({ kind: 'Job', namespace: 'training', name: `job-${i}`, priority: i % 2 === 0 ? 1000 : 100, gpus: 2, phase: i < 30 ? 'running' : 'suspended', utilisation: i < 30 ? 0.7 : null, suspendedBy: i < 30 ? null : `preempt:${i}` })),
};

async function timed(app: Hono, path: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await app.request(path, { headers: { authorization: 'Bearer admin-bench-token' } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return { ms: performance.now() - started, bytes: Buffer.byteLength(body) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export const statusPageBench: BenchModule = {
  name: 'status-page',
  description: `GET / with ${SLOS} SLOs and ${FEATURES} features vs the JSON API views of the same data`,
  async run(log): Promise<BenchReport> {
    const slos = await sloSummaries(SLOS);
    const drift = [await modelDrift('fraud', FEATURES)];
    const actions = Array.from({ length: 50 }, (_, i) => action({ id: `a-${i}`, status: i < 3 ? 'awaiting-approval' : 'done' }));
    log(`fixtures: ${slos.length} SLOs, ${drift[0]?.features.length} features × ${drift[0]?.features[0]?.windows.length} windows, ${actions.length} actions`);
    const page = statusPageRoutes({
      auth: authenticator({ ingestTokens: [], adminTokens: ['admin-bench-token'] }), now: () => NOW,
      slos: () => slos, history: async () => [], drift: () => drift, gpu: async () => gpu, actions: async () => actions,
      approver: { approve: async () => actions[0] as never, reject: async () => actions[0] as never },
    });
    const json = new Hono().get('/', (c) => c.json({ slos, drift: drift.map(driftView), actions: actions.map(actionView) }));
    await timed(page, '/');
    await timed(json, '/');
    const html: Array<{ ms: number; bytes: number }> = [];
    const api: Array<{ ms: number; bytes: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      html.push(await timed(page, '/'));
      api.push(await timed(json, '/'));
    }
    const htmlMs = median(html.map((x) => x.ms));
    const apiMs = median(api.map((x) => x.ms));
    return {
      table: [
        { path: 'status page GET / (HTML)', 'median ms': htmlMs, 'best ms': Math.min(...html.map((x) => x.ms)), KiB: (html[0]?.bytes ?? 0) / 1024 },
        { path: 'baseline: JSON API views', 'median ms': apiMs, 'best ms': Math.min(...api.map((x) => x.ms)), KiB: (api[0]?.bytes ?? 0) / 1024 },
      ],
      notes: [`HTML render / JSON render: ${(htmlMs / apiMs).toFixed(2)}× (median of ${ROUNDS} interleaved rounds)`],
      targets: [{ metric: `${TARGET_MS} ms / status page render ms (under 1 s)`, value: TARGET_MS / htmlMs, atLeast: 1, met: htmlMs < TARGET_MS }],
      details: { slos: SLOS, features: FEATURES, rounds: ROUNDS, htmlMedianMs: htmlMs, jsonMedianMs: apiMs, ratio: htmlMs / apiMs, htmlBytes: html[0]?.bytes, jsonBytes: api[0]?.bytes },
    };
  },
};
