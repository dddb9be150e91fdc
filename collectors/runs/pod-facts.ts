import { conditionsOf, controllerUidOf, listAt, metadataOf, numberAt, objectAt, stringAt, timeAt, uidOf, type KubeObject } from './kube-object.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Waiting reasons that mean an attempt is stuck, not merely starting. */
const STUCK_WAITING = new Set(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'InvalidImageName']);

/** What a run needs from one of its pods. */
export interface PodFacts {
  uid: string;
  ownerUid: string;
  phase: string;
  createdAt: number | null;
  /** When it was bound to a node (PodScheduled=True) or the kubelet started it, whichever is earlier. */
  startedAt: number | null;
  finishedAt: number | null;
  /** Why it failed (OOMKilled, Error, Evicted, …) once it has. */
  failureReason: string;
  /** Why it cannot progress yet (Unschedulable, ImagePullBackOff, CrashLoopBackOff, …). */
  blockedReason: string;
  gpus: number;
  priority: number;
}

const containersOf = (pod: KubeObject) => listAt(objectAt(pod.spec).containers);
const containerStatusesOf = (status: KubeObject) => [...listAt(status.initContainerStatuses), ...listAt(status.containerStatuses)];

export function podGpus(podSpec: KubeObject): number {
  return listAt(podSpec.containers).reduce((sum, c) => sum + (numberAt(objectAt(objectAt(c.resources).limits)[GPU_RESOURCE]) ?? 0), 0);
}

function failureReasonOf(status: KubeObject): string {
  if (stringAt(status.phase) !== 'Failed') return '';
  for (const s of containerStatusesOf(status)) {
    const reason = stringAt(objectAt(objectAt(s.state).terminated).reason);
    if (reason !== '' && reason !== 'Completed') return reason;
  }
  return stringAt(status.reason) || 'Error';
}

function blockedReasonOf(status: KubeObject): string {
  const scheduled = conditionsOf(status).find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return scheduled.reason || 'Unschedulable';
  for (const s of containerStatusesOf(status)) {
    const reason = stringAt(objectAt(objectAt(s.state).waiting).reason);
    if (STUCK_WAITING.has(reason)) return reason;
  }
  return '';
}

function finishedAtOf(status: KubeObject): number | null {
  const ends = containerStatusesOf(status).map((s) => timeAt(objectAt(objectAt(s.state).terminated).finishedAt)).filter((t) => t !== null);
  return ends.length === 0 ? null : Math.max(...ends);
}

/** Some writers move PodScheduled's transition time when the pod ends; the earlier time is the true start. */
const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

export function podFacts(pod: KubeObject): PodFacts {
  const status = objectAt(pod.status);
  const scheduled = conditionsOf(status).find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const spec = objectAt(pod.spec);
  return {
    uid: uidOf(pod),
    ownerUid: controllerUidOf(pod),
    phase: stringAt(status.phase) || 'Pending',
    createdAt: timeAt(metadataOf(pod).creationTimestamp),
    startedAt: earliest(scheduled?.at ?? null, timeAt(status.startTime)),
    finishedAt: finishedAtOf(status),
    failureReason: failureReasonOf(status),
    blockedReason: blockedReasonOf(status),
    gpus: containersOf(pod).length > 0 ? podGpus(spec) : 0,
    priority: numberAt(spec.priority) ?? 0,
  };
}
