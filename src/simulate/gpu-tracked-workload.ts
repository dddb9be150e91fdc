import type { Demand, PodDemand } from './gpu-demand.js';
import type { StatusSnapshot } from './gpu-status.js';
import type { GpuWorkloadKind } from './gpu-workload-kind.js';
import type { JsonObject } from './json.js';
import { metaOf } from './write-strategy.js';

/** A workload as the scheduler sees it (its state, timings and GPUs); a copy, not live. */
export interface GpuWorkload {
  kind: 'Job' | 'PyTorchJob';
  namespace: string;
  name: string;
  gpus: number;
  priority: number;
  state: 'pending' | 'running' | 'suspended' | 'succeeded' | 'failed';
  /** When it last became pending (created or resumed), in ms. */
  pendingSince?: number;
  /** When its current running stretch began, in ms (unset unless running). */
  startedAt?: number;
  /** Running time accumulated so far (kept across suspends, rolled back to the last checkpoint on a failure). */
  runSeconds: number;
  /** Attempts started (a failed attempt is followed by a new one). */
  attempts: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface TrackedPod {
  demand: PodDemand;
  name: string;
  node?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
}

/** The scheduler's bookkeeping for one Job or PyTorchJob. */
export interface TrackedWorkload {
  kind: GpuWorkloadKind;
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  /** Order first seen, breaking creation-time ties (timestamps have second precision). */
  seq: number;
  object: JsonObject;
  demand: Demand;
  state: GpuWorkload['state'];
  pods: TrackedPod[];
  /** Failed pods of earlier attempts, kept (as the job controller does) until the workload goes. */
  retired: TrackedPod[];
  pendingSince?: number;
  /** Start of the current running stretch; the active-deadline clock starts at placement. */
  segmentStart?: number;
  activeSince?: number;
  doneMs: number;
  checkpointedMs: number;
  attemptStartMs: number;
  lastCheckpointAt?: number;
  checkpointRequest?: { value: string; seenAt: number };
  answeredCheckpointRequest?: string;
  attempts: number;
  failed: number;
  failedReplicaType: string;
  resumed: boolean;
  startTime?: string;
  completionTime?: string;
  failure?: { reason: string; message: string };
}

export function trackedFrom(kind: GpuWorkloadKind, object: JsonObject, demand: Demand, seq: number): TrackedWorkload {
  const meta = metaOf(object);
  return {
    kind,
    namespace: String(meta.namespace),
    name: String(meta.name),
    uid: String(meta.uid),
    creationTimestamp: String(meta.creationTimestamp ?? ''),
    seq,
    object,
    demand,
    state: 'pending',
    pods: [],
    retired: [],
    doneMs: 0,
    checkpointedMs: 0,
    attemptStartMs: 0,
    attempts: 0,
    failed: 0,
    failedReplicaType: '',
    resumed: false,
  };
}

export const runMs = (t: TrackedWorkload, now: number): number => t.doneMs + (t.segmentStart === undefined ? 0 : now - t.segmentStart);

export const gpusOf = (t: TrackedWorkload): number => t.demand.pods.reduce((sum, pod) => sum + pod.gpus, 0);

export function snapshotOf(t: TrackedWorkload): StatusSnapshot {
  const snapshot: StatusSnapshot = {
    state: t.state,
    pods: t.pods.map((p) => ({ replicaType: p.demand.replicaType ?? '', phase: p.phase })),
    failed: t.failed,
    failedReplicaType: t.failedReplicaType,
    resumed: t.resumed,
  };
  if (t.startTime !== undefined) snapshot.startTime = t.startTime;
  if (t.completionTime !== undefined) snapshot.completionTime = t.completionTime;
  if (t.failure !== undefined) snapshot.failure = t.failure;
  return snapshot;
}

export function describe(t: TrackedWorkload, now: number): GpuWorkload {
  const meta = metaOf(t.object);
  const workload: GpuWorkload = {
    kind: t.kind.kind,
    namespace: t.namespace,
    name: t.name,
    gpus: gpusOf(t),
    priority: t.demand.priority,
    state: t.state,
    runSeconds: runMs(t, now) / 1000,
    attempts: t.attempts,
    labels: { ...(meta.labels ?? {}) },
    annotations: { ...((meta.annotations as Record<string, string> | undefined) ?? {}) },
  };
  if (t.pendingSince !== undefined && t.state === 'pending') workload.pendingSince = t.pendingSince;
  if (t.segmentStart !== undefined) workload.startedAt = t.segmentStart;
  return workload;
}
