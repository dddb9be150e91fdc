import { expect } from 'vitest';
import { ActionLog, AlertHistory, BaselineStore, writeDriftScores } from '../../src/store/index.js';
import { post, testApp } from '../support/test-app.js';
import type { TestStore } from '../support/test-store.js';

/** The seeded values the dashboards' variables are set to. */
export const SEEDED = { namespace: 'ml', model: 'fraud', version: 'v2', feature: 'amount', slo: 'fraud-availability' } as const;

/** The seeded data spans 10:00–11:58 of this day; the dashboards are queried over 00:00–12:00. */
export const RANGE = { from: Date.parse('2026-11-24T00:00:00Z') / 1000, to: Date.parse('2026-11-24T12:00:00Z') / 1000 };

const at = (hhmm: string) => `2026-11-24T${hhmm}:00Z`;
const ms = (hhmm: string) => Date.parse(at(hhmm));
const MINUTES = ['10:00', '10:30', '11:00', '11:30', '11:50', '11:55', '11:58'];

const runs = [
  { ts: at('10:00'), run_id: 'p1', kind: 'pipeline', state: 'running', pipeline: 'fraud-train', namespace: 'ml', model: 'fraud' },
  { ts: at('10:40'), run_id: 'p1', kind: 'pipeline', state: 'succeeded', pipeline: 'fraud-train', namespace: 'ml', model: 'fraud' },
  { ts: at('11:10'), run_id: 'p2', kind: 'pipeline', state: 'failed', pipeline: 'fraud-train', namespace: 'ml', model: 'fraud', reason: 'OOMKilled' },
  { ts: at('10:05'), run_id: 's1', parent_run_id: 'p1', kind: 'step', state: 'succeeded', pipeline: 'fraud-train', namespace: 'ml', started_at: at('10:01'), finished_at: at('10:05') },
  { ts: at('11:09'), run_id: 's2', parent_run_id: 'p2', kind: 'step', state: 'failed', pipeline: 'fraud-train', namespace: 'ml', reason: 'OOMKilled', attempt: 2, started_at: at('11:02'), finished_at: at('11:09') },
  { ts: at('11:20'), run_id: 't1', kind: 'training', state: 'pending', namespace: 'ml', model: 'fraud', reason: 'Unschedulable', gpus: 4, created_at: at('11:15') },
  { ts: at('11:25'), run_id: 't2', kind: 'training', state: 'failed', namespace: 'ml', model: 'fraud', reason: 'BackoffLimitExceeded', gpus: 1, created_at: at('11:00'), started_at: at('11:01') },
];

const gpu = MINUTES.flatMap((m) => [
  { ts: at(m), node: 'node-a', gpu_uuid: 'GPU-1', gpu_index: 0, gpu_model: 'H100', namespace: 'ml', pod: 'train-1', job: 'fraud-train', util_pct: 85, mem_used_bytes: 60e9, mem_total_bytes: 80e9, power_w: 500, sm_active: 0.7 },
  { ts: at(m), node: 'node-b', gpu_uuid: 'GPU-2', gpu_index: 0, gpu_model: 'H100', namespace: 'ml', pod: 'idle-1', job: 'notebook', util_pct: 1, mem_used_bytes: 1e9, mem_total_bytes: 80e9, power_w: 70, sm_active: 0.01 },
]);

const requests = MINUTES.flatMap((m, i) => [
  { ts: at(m), model: 'fraud', version: i < 3 ? 'v1' : 'v2', namespace: 'ml', endpoint: '/predict', status: 200, latency_ms: 10 + i },
  { ts: at(m), model: 'fraud', version: i < 3 ? 'v1' : 'v2', namespace: 'ml', endpoint: '/predict', status: 503, latency_ms: 250 },
]);

const features = MINUTES.flatMap((m, i) => [5, 15, 25].map((value) => ({ ts: at(m), model: 'fraud', version: 'v2', feature: 'amount', value: value + i })));

async function seedIngested(t: TestStore): Promise<void> {
  const { app, close } = testApp(t);
  for (const [kind, body] of [['runs', runs], ['gpu', gpu], ['requests', requests], ['features', features]] as const) {
    const res = await post(app, kind, body);
    expect(res.status, `${kind}: ${await res.clone().text()}`).toBe(200);
  }
  await close();
}

async function seedWritten(t: TestStore): Promise<void> {
  const { client } = t.store;
  const db = t.ctx.database;
  await writeDriftScores(client, db, ['10:00', '11:00'].map((w, i) => ({
    ts: ms(w), window_start: ms(w), model: 'fraud', version: 'v2', feature: 'amount', psi: i === 0 ? 0.05 : 0.4, threshold: 0.25,
    n_reference: 1000, n_current: 300, status: i === 0 ? 'ok' : 'drifting', computed_at: ms(w) + 3_600_000,
  })));
  await new ActionLog(client, db).save([{
    id: 'a1', policy: 'retrain-on-drift', kind: 'retrain', target: 'model/fraud', status: 'done', reason: 'drift on amount', cause: { feature: 'amount' },
    plan: null, denied_by: '', outcome: 'succeeded', victims: [], actor: '', created_at: ms('11:00'), updated_at: ms('11:30'), finished_at: ms('11:30'),
  }]);
  await new AlertHistory(client, db).record([{
    ts: ms('11:40'), slo: 'fraud-availability', severity: 'page', alertname: 'SLOBurnRate', dedupe_key: 'fraud-availability|version=v2', group_labels: { version: 'v2' },
    state: 'firing', tier: 'page-fast', since: ms('11:40'), firing_since: ms('11:40'), long_burn: 20, short_burn: 30,
  }]);
  await new BaselineStore(client, db).save([{
    model: 'fraud', version: 'v2', feature: 'amount', source: 'training', created_at: ms('09:00'),
    baseline: { kind: 'numeric', method: 'mlwarden', edges: [10, 20], counts: [30, 40, 30], missing: 0, n: 100, proportions: [0.3, 0.4, 0.3], missingProportion: 0, epsilon: 1e-4 },
  }]);
}

/** Rows in every table a dashboard reads: ingest-fed tables through the real ingest API, the rest through their writers. */
export async function seedDashboardData(t: TestStore): Promise<void> {
  await seedIngested(t);
  await seedWritten(t);
}
