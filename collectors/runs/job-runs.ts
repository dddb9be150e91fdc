import { conditionsOf, numberAt, objectAt, timeAt, trueCondition, type Condition, type KubeObject } from './kube-object.js';
import type { PodFacts } from './pod-facts.js';
import { toRow, type Attempt } from './run-attempt.js';
import { createdAtOf, priorityOf, runBase, templateGpus, type PriorityClasses, type RunBase } from './run-context.js';
import type { RunRecord } from './run-record.js';

/** Pods in the order attempts made them; within a second (timestamps are coarse) ended ones first. */
function byAttempt(a: PodFacts, b: PodFacts): number {
  const created = (a.createdAt ?? 0) - (b.createdAt ?? 0);
  if (created !== 0) return created;
  return (a.finishedAt ?? Number.MAX_SAFE_INTEGER) - (b.finishedAt ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Whether the Job's current attempt runs. `status.ready` (Kubernetes ≥ 1.24) is trusted over the
 * pod because the Job version being mapped may be older than the pods already seen.
 */
function isRunning(status: KubeObject, pod: PodFacts | undefined): boolean {
  if ((numberAt(status.succeeded) ?? 0) > 0) return true;
  const ready = numberAt(status.ready);
  if (ready !== undefined) return ready > 0;
  if (pod !== undefined) return pod.phase === 'Running';
  return timeAt(status.startTime) !== null && (numberAt(status.active) ?? 0) > 0;
}

/** The attempt still in progress (or the one that ended the Job without a failed pod). */
function currentAttempt(status: KubeObject, conditions: Condition[], pod: PodFacts | undefined, createdAt: number | null, first: boolean): Attempt {
  const startedAt = pod?.startedAt ?? (first ? timeAt(status.startTime) : null);
  const base = { createdAt, startedAt, finishedAt: null, reason: '' };
  const complete = trueCondition(conditions, 'Complete') ?? trueCondition(conditions, 'SuccessCriteriaMet');
  if (complete !== undefined) return { ...base, state: 'succeeded', finishedAt: timeAt(status.completionTime) ?? complete.at };
  const failed = trueCondition(conditions, 'Failed');
  if (failed !== undefined) return { ...base, state: 'failed', reason: failed.reason, finishedAt: failed.at };
  const suspended = trueCondition(conditions, 'Suspended');
  if (suspended !== undefined) return { ...base, state: 'suspended', reason: suspended.reason };
  if (isRunning(status, pod)) return { ...base, state: 'running' };
  return { ...base, startedAt: null, state: 'pending', reason: pod?.blockedReason ?? '' };
}

function failedAttempt(pod: PodFacts | undefined, createdAt: number | null, fallbackReason: string): Attempt {
  const ended = pod?.phase === 'Failed';
  const reason = (ended ? pod.failureReason : '') || fallbackReason;
  return { state: 'failed', reason, createdAt, startedAt: pod?.startedAt ?? null, finishedAt: ended ? pod.finishedAt : null };
}

/**
 * A batch/v1 Job and its pods as one row per attempt: status.failed attempts failed (the k-th pod
 * giving the k-th reason, e.g. OOMKilled), then the current attempt in the state the conditions
 * and the Job's counts give. A Job that gave up (BackoffLimitExceeded) has no attempt after its
 * last failure. Assumes one pod per attempt (parallelism 1); wider Jobs get Job-level rows whose
 * reasons come from their earliest pods.
 */
export function jobRuns(job: KubeObject, pods: readonly PodFacts[], classes: PriorityClasses, now: number): RunRecord[] {
  const status = objectAt(job.status);
  const conditions = conditionsOf(status);
  const ordered = [...pods].sort(byAttempt);
  const failedCount = numberAt(status.failed) ?? 0;
  const jobFailure = trueCondition(conditions, 'Failed');
  const attempts: Attempt[] = [];
  for (let k = 0; k < failedCount; k += 1) {
    const created = k === 0 ? createdAtOf(job) : (ordered[k]?.createdAt ?? attempts[k - 1]?.finishedAt ?? null);
    attempts.push(failedAttempt(ordered[k], created, (k === failedCount - 1 ? jobFailure?.reason : undefined) ?? 'Error'));
  }
  const gaveUp = jobFailure !== undefined && jobFailure.reason === 'BackoffLimitExceeded' && failedCount > 0;
  if (!gaveUp) {
    const pod = ordered[failedCount];
    const created = failedCount === 0 ? createdAtOf(job) : (pod?.createdAt ?? attempts[failedCount - 1]?.finishedAt ?? null);
    attempts.push(currentAttempt(status, conditions, pod, created, failedCount === 0));
  }
  const base = jobBase(job, classes);
  return attempts.map((a, index) => toRow(base, a, index + 1, now));
}

function jobBase(job: KubeObject, classes: PriorityClasses): RunBase {
  const spec = objectAt(job.spec);
  const template = objectAt(spec.template);
  const parallelism = numberAt(spec.parallelism) ?? 1;
  return runBase(job, 'training', { gpus: templateGpus(template, parallelism), priority: priorityOf(objectAt(template.spec), classes) });
}
