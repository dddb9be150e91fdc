import { conditionsOf, numberAt, objectAt, stringAt, timeAt, trueCondition, type Condition, type KubeObject } from './kube-object.js';
import type { PodFacts } from './pod-facts.js';
import { toRow, type Attempt } from './run-attempt.js';
import { createdAtOf, priorityOf, runBase, templateGpus, type PriorityClasses, type RunBase } from './run-context.js';
import type { RunRecord } from './run-record.js';

/** Kubeflow training-operator kinds and where each keeps its replica specs. */
export const REPLICA_SPECS_FIELD: Readonly<Record<string, string>> = { PyTorchJob: 'pytorchReplicaSpecs', TFJob: 'tfReplicaSpecs' };

const replicaSpecsOf = (job: KubeObject) => Object.values(objectAt(objectAt(job.spec)[REPLICA_SPECS_FIELD[stringAt(job.kind)] ?? 'pytorchReplicaSpecs'])).map(objectAt);

function trainingBase(job: KubeObject, classes: PriorityClasses): RunBase {
  const specs = replicaSpecsOf(job);
  const gpus = specs.reduce((sum, s) => sum + templateGpus(s.template, numberAt(s.replicas) ?? 1), 0);
  const firstPodSpec = objectAt(objectAt(specs[0]?.template).spec);
  const className = stringAt(objectAt(objectAt(objectAt(job.spec).runPolicy).schedulingPolicy).priorityClass) || stringAt(firstPodSpec.priorityClassName);
  return runBase(job, 'training', { gpus, priority: priorityOf(firstPodSpec, classes, className) });
}

/** The latest of the state conditions that hold decides (the operator keeps old ones around). */
function currentAttempt(status: KubeObject, conditions: Condition[], live: PodFacts[], createdAt: number | null): Attempt {
  const startedAt = timeAt(status.startTime) ?? trueCondition(conditions, 'Running')?.at ?? null;
  const base = { createdAt, startedAt, finishedAt: null, reason: '' };
  const succeeded = trueCondition(conditions, 'Succeeded');
  if (succeeded !== undefined) return { ...base, state: 'succeeded', finishedAt: timeAt(status.completionTime) ?? succeeded.at };
  const failed = trueCondition(conditions, 'Failed');
  if (failed !== undefined) return { ...base, state: 'failed', reason: failed.reason, finishedAt: timeAt(status.completionTime) ?? failed.at };
  const suspended = trueCondition(conditions, 'Suspended');
  if (suspended !== undefined) return { ...base, state: 'suspended', reason: suspended.reason };
  if (trueCondition(conditions, 'Running') !== undefined || trueCondition(conditions, 'Restarting') !== undefined) return { ...base, state: 'running' };
  return { ...base, startedAt: null, state: 'pending', reason: live.find((p) => p.blockedReason !== '')?.blockedReason ?? '' };
}

/**
 * A PyTorchJob or TFJob as one row per attempt: each failed replica (replicaStatuses[].failed)
 * ended an attempt, reasons taken from the failed pods when known; then the current attempt.
 */
export function trainingJobRuns(job: KubeObject, pods: readonly PodFacts[], classes: PriorityClasses, now: number): RunRecord[] {
  const status = objectAt(job.status);
  const conditions = conditionsOf(status);
  const replicaFailures = Object.values(objectAt(status.replicaStatuses)).reduce<number>((sum, r) => sum + (numberAt(objectAt(r).failed) ?? 0), 0);
  const failedPods = pods.filter((p) => p.phase === 'Failed').sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
  const failedCount = replicaFailures;
  const createdAt = createdAtOf(job);
  const jobFailure = trueCondition(conditions, 'Failed');
  const attempts: Attempt[] = [];
  for (let k = 0; k < failedCount; k += 1) {
    const pod = failedPods[k];
    const reason = pod?.failureReason || (k === failedCount - 1 ? (jobFailure?.reason ?? '') : '') || 'Error';
    const created = k === 0 ? createdAt : (failedPods[k - 1]?.finishedAt ?? null);
    attempts.push({ state: 'failed', reason, createdAt: created, startedAt: k === 0 ? timeAt(status.startTime) : created, finishedAt: pod?.finishedAt ?? null });
  }
  if (jobFailure === undefined || failedCount === 0) {
    const created = failedCount === 0 ? createdAt : (attempts[failedCount - 1]?.finishedAt ?? createdAt);
    const current = currentAttempt(status, conditions, pods.filter((p) => p.phase !== 'Failed'), created);
    attempts.push(failedCount === 0 ? current : { ...current, startedAt: current.startedAt === null ? null : created });
  }
  const base = trainingBase(job, classes);
  return attempts.map((a, index) => toRow(base, a, index + 1, now));
}
