/** Reading GPU training workloads (Jobs, PyTorchJobs, TFJobs) off their Kubernetes objects. */
import type { PoolWorkload, WorkloadKind } from '../domain/policy/index.js';
import type { KubeObject } from './kube-objects.js';
import { isFinished, isKueueManaged, isSuspended, lastCheckpointAt } from './workload-suspension.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';

interface PodTemplate {
  spec?: { containers?: Array<{ resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } }>; priority?: number; priorityClassName?: string };
}

/** A GPU workload read off its object (the domain's PoolWorkload). */
export type Workload = PoolWorkload;

const time = (value: unknown): number | undefined => {
  const t = typeof value === 'string' ? Date.parse(value) : value instanceof Date ? value.getTime() : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
};

function templateGpus(template: PodTemplate | undefined): number {
  return (template?.spec?.containers ?? []).reduce((sum, c) => sum + Number(c.resources?.limits?.[GPU_RESOURCE] ?? c.resources?.requests?.[GPU_RESOURCE] ?? 0), 0);
}

/** The pod templates of a workload with their replica counts. */
function replicaTemplates(kind: WorkloadKind, object: KubeObject): Array<{ replicas: number; template: PodTemplate | undefined }> {
  const spec = object.spec ?? {};
  if (kind === 'Job') return [{ replicas: Number(spec.parallelism ?? 1), template: spec.template as PodTemplate | undefined }];
  const key = kind === 'PyTorchJob' ? 'pytorchReplicaSpecs' : 'tfReplicaSpecs';
  const replicaSpecs = (spec[key] ?? {}) as Record<string, { replicas?: number; template?: PodTemplate }>;
  return Object.values(replicaSpecs).map((r) => ({ replicas: Number(r.replicas ?? 1), template: r.template }));
}

function priorityOf(kind: WorkloadKind, object: KubeObject, classes: ReadonlyMap<string, number>): number {
  const templates = replicaTemplates(kind, object).map((r) => r.template?.spec);
  const explicit = templates.find((t) => typeof t?.priority === 'number')?.priority;
  if (explicit !== undefined) return explicit;
  const runPolicyClass = ((object.spec?.runPolicy as { schedulingPolicy?: { priorityClass?: string } } | undefined)?.schedulingPolicy?.priorityClass);
  const className = runPolicyClass ?? templates.find((t) => t?.priorityClassName)?.priorityClassName;
  return className === undefined ? 0 : (classes.get(className) ?? 0);
}

function conditionTime(object: KubeObject, type: string, status: string): number | undefined {
  const conditions = (object.status?.conditions as Array<{ type: string; status: string; lastTransitionTime?: string }> | undefined) ?? [];
  return time(conditions.find((c) => c.type === type && c.status === status)?.lastTransitionTime);
}

function isRunning(kind: WorkloadKind, object: KubeObject): boolean {
  // `active` counts pods still Pending (unschedulable) too; `ready` counts pods actually running.
  if (kind === 'Job') return Number(object.status?.ready ?? object.status?.active ?? 0) > 0;
  return conditionTime(object, 'Running', 'True') !== undefined;
}

export function readWorkload(kind: WorkloadKind, object: KubeObject, classes: ReadonlyMap<string, number>, suspendedByAnnotation: string): Workload {
  const created = time(object.metadata.creationTimestamp) ?? 0;
  const suspended = isSuspended(kind, object);
  const phase = isFinished(object) ? 'finished' : suspended ? 'suspended' : isRunning(kind, object) ? 'running' : 'pending';
  const resumedAt = conditionTime(object, 'Suspended', 'False');
  const startedAt = time(object.status?.startTime);
  const checkpoint = lastCheckpointAt(object);
  const suspendedBy = object.metadata.annotations?.[suspendedByAnnotation];
  const suspendedAt = conditionTime(object, 'Suspended', 'True');
  return {
    kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name,
    gpus: replicaTemplates(kind, object).reduce((sum, r) => sum + r.replicas * templateGpus(r.template), 0),
    priority: priorityOf(kind, object, classes),
    phase,
    pendingSince: Math.max(created, resumedAt ?? 0),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(checkpoint !== undefined ? { lastCheckpointAt: checkpoint } : {}),
    kueueManaged: isKueueManaged(object),
    ...(suspended && suspendedBy !== undefined ? { suspendedBy } : {}),
    ...(suspended && suspendedAt !== undefined ? { suspendedAt } : {}),
  };
}
