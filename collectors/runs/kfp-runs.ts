import type { RunState } from '../../src/domain/telemetry/index.js';
import { listAt, objectAt, stringAt, timeAt, type KubeObject } from './kube-object.js';
import { toRow } from './run-attempt.js';
import type { RunRecord } from './run-record.js';

/** KFP v2beta1 RuntimeState → mlwarden state; CANCELING is still running until it is CANCELED. */
const KFP_STATES: Readonly<Record<string, RunState>> = {
  RUNTIME_STATE_UNSPECIFIED: 'pending',
  PENDING: 'pending',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  SKIPPED: 'skipped',
  FAILED: 'failed',
  CANCELING: 'running',
  CANCELED: 'canceled',
  PAUSED: 'paused',
};
const MAX_REASON = 256;

export const kfpState = (state: string): RunState => KFP_STATES[state] ?? 'pending';

/** When it first ran, from its state history (KFP has no started_at). */
function firstRunning(run: KubeObject): number | null {
  const running = listAt(run.state_history).find((h) => stringAt(h.state) === 'RUNNING');
  return running === undefined ? null : timeAt(running.update_time);
}

/** A KFP v2beta1 run (REST JSON, proto field names) as a pipeline run row. */
export function kfpRunRow(run: KubeObject, now: number): RunRecord {
  const rawState = stringAt(run.state);
  const state = kfpState(rawState);
  const reference = objectAt(run.pipeline_version_reference);
  const startedAt = state === 'pending' ? null : (firstRunning(run) ?? timeAt(run.scheduled_at));
  const error = stringAt(objectAt(run.error).message).slice(0, MAX_REASON);
  const labels: Record<string, string> = { name: stringAt(run.display_name), experiment_id: stringAt(run.experiment_id), kfp_state: rawState };
  const base = {
    run_id: stringAt(run.run_id),
    parent_run_id: '',
    kind: 'pipeline' as const,
    pipeline: stringAt(reference.pipeline_id),
    namespace: '',
    model: '',
    version: stringAt(reference.pipeline_version_id),
    gpus: 0,
    priority: 0,
    labels,
  };
  const finishedAt = state === 'succeeded' || state === 'failed' || state === 'canceled' || state === 'skipped' ? timeAt(run.finished_at) : null;
  return toRow(base, { state, reason: state === 'failed' || state === 'canceled' ? error : '', createdAt: timeAt(run.created_at), startedAt, finishedAt }, 1, now);
}
