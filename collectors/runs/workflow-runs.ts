import type { RunState } from '../../src/domain/telemetry/index.js';
import { labelsOf, metadataOf, objectAt, stringAt, timeAt, uidOf, type KubeObject } from './kube-object.js';
import { toRow } from './run-attempt.js';
import { createdAtOf, runBase, type RunBase } from './run-context.js';
import type { RunRecord } from './run-record.js';

/** Argo node and workflow phases (workflow.status.phase, status.nodes[].phase). */
const PHASES: Readonly<Record<string, RunState>> = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Error: 'failed',
  Skipped: 'skipped',
  Omitted: 'skipped',
};

/** Node types that do work of their own; Steps/DAG/Retry nodes only group them. */
const STEP_TYPES = new Set(['Pod', 'Container', 'Suspend', 'HTTP', 'Plugin', 'Skipped']);
const MAX_REASON = 256;
const RETRY_CHILD = /^(.*)\((\d+)\)$/;

const reasonOf = (state: RunState, message: string) => (state === 'failed' || state === 'canceled' ? message.slice(0, MAX_REASON) : '');

function workflowState(workflow: KubeObject): RunState {
  const spec = objectAt(workflow.spec);
  const state = PHASES[stringAt(objectAt(workflow.status).phase)] ?? 'pending';
  if (state === 'failed' && stringAt(spec.shutdown) !== '') return 'canceled';
  if (state === 'running' && spec.suspend === true) return 'paused';
  return state;
}

/** A retried step's attempts are children of a Retry node named like them without the "(n)". */
function stepIdentity(node: KubeObject, retryIds: ReadonlyMap<string, string>): { id: string; attempt: number } {
  const match = RETRY_CHILD.exec(stringAt(node.name));
  const retryId = match === null ? undefined : retryIds.get(match[1] as string);
  return retryId === undefined ? { id: stringAt(node.id), attempt: 1 } : { id: retryId, attempt: Number(match?.[2]) + 1 };
}

function stepRows(workflow: KubeObject, base: RunBase, now: number): RunRecord[] {
  const nodes = Object.values(objectAt(objectAt(workflow.status).nodes)).map(objectAt);
  const retryIds = new Map(nodes.filter((n) => stringAt(n.type) === 'Retry').map((n) => [stringAt(n.name), stringAt(n.id)]));
  return nodes
    .filter((n) => STEP_TYPES.has(stringAt(n.type)))
    .map((node) => {
      const state = PHASES[stringAt(node.phase)] ?? 'pending';
      const { id, attempt } = stepIdentity(node, retryIds);
      const startedAt = timeAt(node.startedAt);
      const attemptRow = { state, reason: reasonOf(state, stringAt(node.message)), createdAt: startedAt, startedAt: state === 'pending' ? null : startedAt, finishedAt: timeAt(node.finishedAt) };
      const labels = { ...base.labels, step: stringAt(node.displayName), template: stringAt(node.templateName) };
      return toRow({ ...base, run_id: `${base.run_id}/${id}`, parent_run_id: base.run_id, kind: 'step', gpus: 0, labels }, attemptRow, attempt, now);
    });
}

/** An Argo Workflow as its pipeline run row plus one row per step (kind step, parent_run_id = the workflow). */
export function workflowRuns(workflow: KubeObject, now: number): RunRecord[] {
  const status = objectAt(workflow.status);
  const base = runBase(workflow, 'pipeline', { gpus: 0, priority: 0 });
  const template = stringAt(objectAt(objectAt(workflow.spec).workflowTemplateRef).name);
  const withPipeline = { ...base, pipeline: base.pipeline || template || stringAt(metadataOf(workflow).generateName).replace(/-$/, ''), run_id: uidOf(workflow) };
  const state = workflowState(workflow);
  const attempt = { state, reason: reasonOf(state, stringAt(status.message)), createdAt: createdAtOf(workflow), startedAt: state === 'pending' ? null : timeAt(status.startedAt), finishedAt: timeAt(status.finishedAt) };
  return [toRow(withPipeline, attempt, 1, now), ...stepRows(workflow, { ...withPipeline, labels: labelsOf(workflow) }, now)];
}
