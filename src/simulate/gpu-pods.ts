import type { PodDemand } from './gpu-demand.js';
import type { JsonObject } from './json.js';
import { apiVersionOf } from './resource-registry.js';
import type { GpuWorkloadKind } from './gpu-workload-kind.js';
import { metaOf } from './write-strategy.js';

/** How a pod ended, for its container's terminated state. */
export interface PodEnding {
  phase: 'Succeeded' | 'Failed';
  reason: string;
  exitCode: number;
  at: string;
}

const EXIT_CODES: Readonly<Record<string, number>> = { OOMKilled: 137, Completed: 0, Error: 1 };

export const exitCodeFor = (reason: string): number => EXIT_CODES[reason] ?? 1;

const containerNames = (pod: PodDemand): string[] =>
  (Array.isArray(pod.podSpec.containers) ? pod.podSpec.containers : []).map((c, i) => {
    const name = (c as JsonObject).name;
    return typeof name === 'string' ? name : `container-${i}`;
  });

/** A pod of the workload as its controller creates it, owned by the workload (status set apart). */
export function podFor(kind: GpuWorkloadKind, owner: JsonObject, pod: PodDemand, name: string): JsonObject {
  const meta = metaOf(owner);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: kind.podLabels(owner, pod),
      ownerReferences: [
        { apiVersion: apiVersionOf(kind.resource), kind: kind.kind, name: String(meta.name), uid: String(meta.uid), controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { ...pod.podSpec },
  };
}

export function pendingPodStatus(message: string, at: string): JsonObject {
  return {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: at }],
    qosClass: 'BestEffort',
  };
}

export function runningPodStatus(pod: PodDemand, at: string): JsonObject {
  const ready = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  return {
    phase: 'Running',
    startTime: at,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(ready),
    containerStatuses: containerNames(pod).map((name) => ({ name, ready: true, restartCount: 0, started: true, state: { running: { startedAt: at } } })),
    hostIP: '10.0.0.10',
    podIP: '10.244.0.10',
  };
}

export function endedPodStatus(running: JsonObject, ending: PodEnding): JsonObject {
  const statuses = Array.isArray(running.containerStatuses) ? (running.containerStatuses as JsonObject[]) : [];
  const startedAt = typeof running.startTime === 'string' ? running.startTime : ending.at;
  const terminated = { exitCode: ending.exitCode, reason: ending.reason, startedAt, finishedAt: ending.at };
  const notReady = (type: string) => ({ type, status: type === 'PodScheduled' ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: ending.at, ...(type === 'PodScheduled' ? {} : { reason: 'PodCompleted' }) });
  return {
    ...running,
    phase: ending.phase,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(notReady),
    containerStatuses: statuses.map((s) => ({ ...s, ready: false, started: false, state: { terminated } })),
  };
}
