import { randomBytes } from 'node:crypto';
import { conditionsOf, setCondition, type Condition } from './gpu-conditions.js';
import { objectAt, podTemplateGpus, templatePriority, type Demand } from './gpu-demand.js';
import { countPods, type StatusSnapshot } from './gpu-status.js';
import type { GpuWorkloadKind } from './gpu-workload-kind.js';
import type { JsonObject } from './json.js';
import { findResourceType, type ResourceType } from './resource-registry.js';
import { metaOf } from './write-strategy.js';

const JOB_TIME_FIELDS = ['lastProbeTime', 'lastTransitionTime'] as const;
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

const podTemplateSpec = (job: JsonObject) => objectAt(objectAt(objectAt(job.spec).template).spec);

/** `<job>-<5 random lowercase letters>`, like the job controller's generateName. */
function randomSuffix(): string {
  return [...randomBytes(5)].map((b) => LOWER[b % LOWER.length]).join('');
}

function demand(job: JsonObject, classes: Record<string, number>): Demand {
  const spec = objectAt(job.spec);
  const podSpec = podTemplateSpec(job);
  const parallelism = typeof spec.parallelism === 'number' ? spec.parallelism : 1;
  const gpus = podTemplateGpus(podSpec);
  return { priority: templatePriority(podSpec, classes), pods: Array.from({ length: parallelism }, (_, index) => ({ gpus, podSpec, index })) };
}

function conditions(existing: Condition[], snapshot: StatusSnapshot, at: string): Condition[] {
  const set = (list: Condition[], c: Condition) => setCondition(list, c, at, JOB_TIME_FIELDS);
  let list = existing;
  if (snapshot.state === 'suspended') list = set(list, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' });
  else if (snapshot.resumed) list = set(list, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' });
  if (snapshot.state === 'succeeded') {
    const message = 'Reached expected number of succeeded pods';
    list = set(list, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message });
    list = set(list, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message });
  }
  if (snapshot.state === 'failed' && snapshot.failure !== undefined) {
    list = set(list, { type: 'FailureTarget', status: 'True', ...snapshot.failure });
    list = set(list, { type: 'Failed', status: 'True', ...snapshot.failure });
  }
  return list;
}

function status(job: JsonObject, snapshot: StatusSnapshot, at: string): JsonObject {
  const stored = objectAt(job.status);
  const next: JsonObject = { ...stored };
  const list = conditions(conditionsOf(stored), snapshot, at);
  if (list.length > 0) next.conditions = list;
  if (snapshot.startTime !== undefined) next.startTime = snapshot.startTime;
  if (snapshot.completionTime !== undefined) next.completionTime = snapshot.completionTime;
  next.active = countPods(snapshot, 'Pending') + countPods(snapshot, 'Running');
  next.ready = countPods(snapshot, 'Running');
  if (snapshot.failed > 0) next.failed = snapshot.failed;
  const succeeded = countPods(snapshot, 'Succeeded');
  if (succeeded > 0) next.succeeded = succeeded;
  return next;
}

export const BATCH_JOB: GpuWorkloadKind = {
  kind: 'Job',
  resource: findResourceType('batch', 'v1', 'jobs') as ResourceType,
  demand,
  suspended: (job) => objectAt(job.spec).suspend === true,
  backoffLimit: (job) => {
    const limit = objectAt(job.spec).backoffLimit;
    return typeof limit === 'number' ? limit : 6;
  },
  activeDeadlineSeconds: (job) => {
    const deadline = objectAt(job.spec).activeDeadlineSeconds;
    return typeof deadline === 'number' ? deadline : undefined;
  },
  podName: (job) => `${String(metaOf(job).name)}-${randomSuffix()}`,
  podLabels: (job) => {
    const meta = metaOf(job);
    const name = String(meta.name);
    return { 'batch.kubernetes.io/controller-uid': String(meta.uid), 'batch.kubernetes.io/job-name': name, 'controller-uid': String(meta.uid), 'job-name': name };
  },
  status,
};
