/**
 * Suspending and resuming GPU training workloads: batch/v1 Job `spec.suspend`, Kubeflow
 * PyTorchJob/TFJob `spec.runPolicy.suspend`. Every write is a merge patch with the read
 * resourceVersion and marks the job with the action, so a repeat is a no-op and resume only undoes
 * mlwarden's own suspensions. Jobs Kueue manages are never touched.
 */
import type { WorkloadKind } from '../domain/policy/index.js';
import { CHECKPOINT_REQUESTED_ANNOTATION, KUEUE_QUEUE_LABEL, LAST_CHECKPOINT_ANNOTATION, SUSPENDED_BY_ANNOTATION } from './action-markers.js';
import { JOBS, PYTORCHJOBS, TFJOBS, type KubeObject, type KubeObjects, type ResourceKind } from './kube-objects.js';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export const WORKLOAD_RESOURCES: Readonly<Record<WorkloadKind, ResourceKind>> = { Job: JOBS, PyTorchJob: PYTORCHJOBS, TFJob: TFJOBS };

export function isSuspended(kind: WorkloadKind, object: KubeObject): boolean {
  const spec = object.spec ?? {};
  return kind === 'Job' ? spec.suspend === true : (spec.runPolicy as { suspend?: boolean } | undefined)?.suspend === true;
}

const suspendPatch = (kind: WorkloadKind, suspend: boolean) => (kind === 'Job' ? { suspend } : { runPolicy: { suspend } });

export const isKueueManaged = (object: KubeObject): boolean => object.metadata.labels?.[KUEUE_QUEUE_LABEL] !== undefined;

/** Finished (Complete or Failed) workloads have nothing to suspend. */
export function isFinished(object: KubeObject): boolean {
  const conditions = (object.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? [];
  return conditions.some((c) => ['Complete', 'Failed', 'Succeeded'].includes(c.type) && c.status === 'True');
}

export type SuspendOutcome = 'suspended' | 'already-suspended' | 'kueue-managed' | 'finished' | 'not-found';

function suspensionOf(kind: WorkloadKind, job: KubeObject): SuspendOutcome {
  if (isKueueManaged(job)) return 'kueue-managed';
  if (isFinished(job)) return 'finished';
  return isSuspended(kind, job) ? 'already-suspended' : 'suspended';
}

export async function suspendWorkload(objects: KubeObjects, ref: WorkloadRef, actionId: string): Promise<SuspendOutcome> {
  let outcome: SuspendOutcome = 'not-found';
  await objects.update(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name, (job) => {
    outcome = suspensionOf(ref.kind, job);
    return outcome === 'suspended' ? { metadata: { annotations: { [SUSPENDED_BY_ANNOTATION]: actionId } }, spec: suspendPatch(ref.kind, true) } : undefined;
  });
  return outcome;
}

export type ResumeOutcome = 'resumed' | 'not-suspended-by-mlwarden' | 'not-found';

/** Resumes a job only while it still carries the suspending action's mark (a person may have taken over). */
export async function resumeWorkload(objects: KubeObjects, ref: WorkloadRef, suspendedBy: string): Promise<ResumeOutcome> {
  let outcome: ResumeOutcome = 'not-found';
  await objects.update(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name, (job) => {
    outcome = job.metadata.annotations?.[SUSPENDED_BY_ANNOTATION] === suspendedBy ? 'resumed' : 'not-suspended-by-mlwarden';
    return outcome === 'resumed' ? { metadata: { annotations: { [SUSPENDED_BY_ANNOTATION]: null, [CHECKPOINT_REQUESTED_ANNOTATION]: null } }, spec: suspendPatch(ref.kind, false) } : undefined;
  });
  return outcome;
}

/** Asks the job for a checkpoint (once per action); it answers by writing LAST_CHECKPOINT_ANNOTATION. */
export async function requestCheckpoint(objects: KubeObjects, ref: WorkloadRef, actionId: string, at: number): Promise<void> {
  const value = JSON.stringify({ action: actionId, at: new Date(at).toISOString() });
  await objects.update(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name, (job) =>
    job.metadata.annotations?.[CHECKPOINT_REQUESTED_ANNOTATION]?.includes(`"${actionId}"`) ? undefined : { metadata: { annotations: { [CHECKPOINT_REQUESTED_ANNOTATION]: value } } });
}

/** When the job last reported a checkpoint (epoch ms), if it ever did. */
export function lastCheckpointAt(object: KubeObject): number | undefined {
  const value = object.metadata.annotations?.[LAST_CHECKPOINT_ANNOTATION];
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
