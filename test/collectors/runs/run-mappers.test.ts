import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { jobRuns } from '../../../collectors/runs/job-runs.js';
import { kfpRunRow } from '../../../collectors/runs/kfp-runs.js';
import type { KubeObject } from '../../../collectors/runs/kube-object.js';
import { podFacts } from '../../../collectors/runs/pod-facts.js';
import type { RunRecord } from '../../../collectors/runs/run-record.js';
import { trainingJobRuns } from '../../../collectors/runs/training-job-runs.js';
import { workflowRuns } from '../../../collectors/runs/workflow-runs.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';

const fixture = (name: string): KubeObject => JSON.parse(readFileSync(new URL(`../../fixtures/collectors/runs/${name}`, import.meta.url), 'utf8')) as KubeObject;
const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-03-01T12:00:00Z');
const CLASSES = { 'training-high': 100_000 };
const brief = (rows: RunRecord[]) => rows.map((r) => ({ run_id: r.run_id, attempt: r.attempt, state: r.state, reason: r.reason }));

/** A Job still waiting on its first pod, for pairing with a pod fixture. */
function waitingJob(uid: string): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'waiting', namespace: 'ml', uid, creationTimestamp: '2026-03-01T11:00:00Z' },
    spec: { template: { spec: { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '8' } } }] } } },
    status: { active: 1, ready: 0, startTime: '2026-03-01T11:00:00Z' },
  };
}

describe('run mappers on recorded API objects', () => {
  test('A Job that exceeded its backoff limit should give one failed row per attempt, each with its own pod reason and pending time', () => {
    const pods = (fixture('pods-backoff-limit-exceeded.json').items as KubeObject[]).map(podFacts);
    const rows = jobRuns(fixture('job-backoff-limit-exceeded.json'), pods, CLASSES, NOW);
    expect(brief(rows)).toEqual([
      { run_id: '5c1e7b0a-9d1f-4a52-8a51-3f1f0c1d2e01', attempt: 1, state: 'failed', reason: 'OOMKilled' },
      { run_id: '5c1e7b0a-9d1f-4a52-8a51-3f1f0c1d2e01', attempt: 2, state: 'failed', reason: 'Error' },
    ]);
    expect(rows[0]).toMatchObject({ kind: 'training', model: 'ranker', version: 'v7', pipeline: 'nightly-retrain', namespace: 'ml', gpus: 2, priority: 100_000 });
    expect(rows[0]).toMatchObject({ created_at: at('2026-03-01T10:00:00Z'), started_at: at('2026-03-01T10:00:02Z'), finished_at: at('2026-03-01T10:04:00Z'), pending_ms: 2000 });
    expect(rows[1]).toMatchObject({ created_at: at('2026-03-01T10:04:01Z'), started_at: at('2026-03-01T10:04:30Z'), finished_at: at('2026-03-01T10:09:00Z'), pending_ms: 29_000, ts: at('2026-03-01T10:09:00Z') });
  });

  test('A Job whose failed pods are not seen should still fail its last attempt with the Job reason', () => {
    const rows = jobRuns(fixture('job-backoff-limit-exceeded.json'), [], CLASSES, NOW);
    expect(brief(rows).map((r) => `${r.attempt} ${r.reason}`)).toEqual(['1 Error', '2 BackoffLimitExceeded']);
  });

  test.each([
    ['pod-unschedulable.json', 'job-big-uid', 'Unschedulable'],
    ['pod-image-pull-backoff.json', 'job-eval-uid', 'ImagePullBackOff'],
  ])('A Job whose pod is %s should be pending with reason %s', (file, uid, reason) => {
    const rows = jobRuns(waitingJob(uid), [podFacts(fixture(file))], {}, NOW);
    expect(brief(rows)).toEqual([{ run_id: uid, attempt: 1, state: 'pending', reason }]);
    expect(rows[0]).toMatchObject({ started_at: null, pending_ms: null, gpus: 8 });
  });

  test('A succeeded PyTorchJob should be one succeeded row with every replica GPU and the scheduling priority class', () => {
    const rows = trainingJobRuns(fixture('pytorchjob-succeeded.json'), [], CLASSES, NOW);
    expect(brief(rows)).toEqual([{ run_id: '7e57-ddp', attempt: 1, state: 'succeeded', reason: '' }]);
    expect(rows[0]).toMatchObject({ model: 'llm-7b', gpus: 16, priority: 100_000, pending_ms: 120_000, finished_at: at('2026-03-01T10:30:00Z') });
  });

  test('A failed Argo Workflow should be a pipeline row plus step rows, retries as attempts of one step, omitted steps skipped', () => {
    const rows = workflowRuns(fixture('workflow-retry-failed.json'), NOW);
    expect(brief(rows)).toEqual([
      { run_id: 'a7f0-wf', attempt: 1, state: 'failed', reason: "child 'retrain-7xk2p-2021' failed" },
      { run_id: 'a7f0-wf/retrain-7xk2p-1001', attempt: 1, state: 'succeeded', reason: '' },
      { run_id: 'a7f0-wf/retrain-7xk2p-2000', attempt: 1, state: 'failed', reason: 'OOMKilled (exit code 137)' },
      { run_id: 'a7f0-wf/retrain-7xk2p-2000', attempt: 2, state: 'failed', reason: 'OOMKilled (exit code 137)' },
      { run_id: 'a7f0-wf/retrain-7xk2p-3000', attempt: 1, state: 'skipped', reason: '' },
    ]);
    expect(rows[0]).toMatchObject({ kind: 'pipeline', pipeline: 'retrain', parent_run_id: '', pending_ms: 1000 });
    expect(rows.slice(1).every((r) => r.kind === 'step' && r.parent_run_id === 'a7f0-wf' && r.pipeline === 'retrain')).toBe(true);
    expect(rows[2]?.labels).toMatchObject({ step: 'train(0)', template: 'train' });
  });

  test('A failed KFP run should carry its error as reason, its first RUNNING time as start and its pipeline version', () => {
    const row = kfpRunRow(fixture('kfp-run-failed.json'), NOW);
    expect(row).toMatchObject({
      run_id: '3d1f9c2a-8b7e-4c6d-9e0f-1a2b3c4d5e6f',
      kind: 'pipeline',
      state: 'failed',
      reason: "task 'train' failed: OOMKilled",
      pipeline: 'b2f1a0c9-retrain',
      version: 'v12',
      created_at: at('2026-03-01T02:00:00Z'),
      started_at: at('2026-03-01T02:00:41Z'),
      finished_at: at('2026-03-01T02:47:13Z'),
      pending_ms: 41_000,
    });
  });

  test('A KFP run still running should report the zero finished_at as not finished', () => {
    const running = { ...fixture('kfp-run-failed.json'), state: 'CANCELING', finished_at: '1970-01-01T00:00:00Z', error: undefined };
    expect(kfpRunRow(running, NOW)).toMatchObject({ state: 'running', finished_at: null, reason: '' });
  });

  test('Every row mapped from the fixtures should pass the ingest validation', () => {
    const pods = (fixture('pods-backoff-limit-exceeded.json').items as KubeObject[]).map(podFacts);
    const rows = [
      ...jobRuns(fixture('job-backoff-limit-exceeded.json'), pods, CLASSES, NOW),
      ...jobRuns(waitingJob('job-big-uid'), [podFacts(fixture('pod-unschedulable.json'))], {}, NOW),
      ...trainingJobRuns(fixture('pytorchjob-succeeded.json'), [], CLASSES, NOW),
      ...workflowRuns(fixture('workflow-retry-failed.json'), NOW),
      kfpRunRow(fixture('kfp-run-failed.json'), NOW),
    ];
    expect(validateRecords('runs', rows, NOW)).toHaveLength(rows.length);
  });
});
