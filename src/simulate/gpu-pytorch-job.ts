import { conditionsOf, setCondition, type Condition } from './gpu-conditions.js';
import { objectAt, podTemplateGpus, templatePriority, type Demand, type PodDemand } from './gpu-demand.js';
import { countPods, type StatusSnapshot } from './gpu-status.js';
import type { GpuWorkloadKind } from './gpu-workload-kind.js';
import type { JsonObject } from './json.js';
import { findResourceType, type ResourceType } from './resource-registry.js';
import { metaOf } from './write-strategy.js';

const REPLICA_TYPES = ['Master', 'Worker'] as const;
const TIME_FIELDS = ['lastUpdateTime', 'lastTransitionTime'] as const;

const runPolicy = (job: JsonObject) => objectAt(objectAt(job.spec).runPolicy);
const replicaSpec = (job: JsonObject, type: string) => objectAt(objectAt(objectAt(job.spec).pytorchReplicaSpecs)[type]);

function demand(job: JsonObject, classes: Record<string, number>): Demand {
  const pods: PodDemand[] = [];
  for (const type of REPLICA_TYPES) {
    const spec = replicaSpec(job, type);
    const podSpec = objectAt(objectAt(spec.template).spec);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : spec.template === undefined ? 0 : 1;
    for (let index = 0; index < replicas; index += 1) pods.push({ gpus: podTemplateGpus(podSpec), podSpec, replicaType: type.toLowerCase(), index });
  }
  const className = objectAt(runPolicy(job).schedulingPolicy).priorityClass;
  const first = pods[0]?.podSpec ?? {};
  return { pods, priority: templatePriority(first, classes, className) };
}

/** The condition the training-operator sets for each state, with its reason and message. */
function stateCondition(job: JsonObject, snapshot: StatusSnapshot): Condition | undefined {
  const meta = metaOf(job);
  const id = `${String(meta.namespace)}/${String(meta.name)}`;
  switch (snapshot.state) {
    case 'running':
      return { type: 'Running', status: 'True', reason: 'PyTorchJobRunning', message: `PyTorchJob ${id} is running.` };
    case 'suspended':
      return { type: 'Suspended', status: 'True', reason: 'PyTorchJobSuspended', message: `PyTorchJob ${String(meta.name)} is suspended.` };
    case 'succeeded':
      return { type: 'Succeeded', status: 'True', reason: 'PyTorchJobSucceeded', message: `PyTorchJob ${id} successfully completed.` };
    case 'failed':
      return { type: 'Failed', status: 'True', reason: 'PyTorchJobFailed', message: `PyTorchJob ${id} has failed: ${snapshot.failure?.message ?? ''}` };
    default:
      return undefined;
  }
}

function conditions(job: JsonObject, snapshot: StatusSnapshot, at: string): Condition[] {
  const set = (list: Condition[], c: Condition) => setCondition(list, c, at, TIME_FIELDS);
  const name = String(metaOf(job).name);
  let list = set(conditionsOf(objectAt(job.status)), { type: 'Created', status: 'True', reason: 'PyTorchJobCreated', message: `PyTorchJob ${name} is created.` });
  const current = stateCondition(job, snapshot);
  const running = list.find((c) => c.type === 'Running');
  if (current?.type !== 'Running' && running?.status === 'True') {
    list = set(list, { ...running, status: 'False', reason: current?.reason ?? 'PyTorchJobPending', message: current?.message ?? running.message });
  }
  if (snapshot.state !== 'suspended' && snapshot.resumed) {
    list = set(list, { type: 'Suspended', status: 'False', reason: 'PyTorchJobResumed', message: `PyTorchJob ${name} is resumed.` });
  }
  return current === undefined ? list : set(list, current);
}

function replicaStatuses(job: JsonObject, snapshot: StatusSnapshot): JsonObject {
  const statuses: JsonObject = {};
  for (const type of REPLICA_TYPES) {
    if (objectAt(objectAt(job.spec).pytorchReplicaSpecs)[type] === undefined) continue;
    const lower = type.toLowerCase();
    const entry: JsonObject = { active: countPods(snapshot, 'Running', lower) };
    const succeeded = countPods(snapshot, 'Succeeded', lower);
    if (succeeded > 0) entry.succeeded = succeeded;
    if (snapshot.failed > 0 && snapshot.failedReplicaType === lower) entry.failed = snapshot.failed;
    statuses[type] = entry;
  }
  return statuses;
}

function status(job: JsonObject, snapshot: StatusSnapshot, at: string): JsonObject {
  const next: JsonObject = { ...objectAt(job.status), conditions: conditions(job, snapshot, at), replicaStatuses: replicaStatuses(job, snapshot) };
  if (snapshot.startTime !== undefined) next.startTime = snapshot.startTime;
  if (snapshot.completionTime !== undefined) next.completionTime = snapshot.completionTime;
  return next;
}

export const PYTORCH_JOB: GpuWorkloadKind = {
  kind: 'PyTorchJob',
  resource: findResourceType('kubeflow.org', 'v1', 'pytorchjobs') as ResourceType,
  demand,
  suspended: (job) => runPolicy(job).suspend === true,
  backoffLimit: (job) => {
    const limit = runPolicy(job).backoffLimit;
    return typeof limit === 'number' ? limit : 6;
  },
  activeDeadlineSeconds: (job) => {
    const deadline = runPolicy(job).activeDeadlineSeconds;
    return typeof deadline === 'number' ? deadline : undefined;
  },
  podName: (job, pod) => `${String(metaOf(job).name)}-${pod.replicaType ?? 'worker'}-${pod.index}`,
  podLabels: (job, pod) => ({
    'training.kubeflow.org/job-name': String(metaOf(job).name),
    'training.kubeflow.org/operator-name': 'pytorchjob-controller',
    'training.kubeflow.org/replica-index': String(pod.index),
    'training.kubeflow.org/replica-type': pod.replicaType ?? 'worker',
    ...(pod.replicaType === 'master' ? { 'training.kubeflow.org/job-role': 'master' } : {}),
  }),
  status,
};
