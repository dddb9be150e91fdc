import { endedPodStatus, exitCodeFor, pendingPodStatus, podFor, runningPodStatus } from './gpu-pods.js';
import type { TrackedPod, TrackedWorkload } from './gpu-tracked-workload.js';
import type { JsonObject } from './json.js';
import { KubeApiError } from './kube-status.js';
import type { ObjectStore } from './object-store.js';
import { findResourceType, type ResourceType } from './resource-registry.js';

const PODS = findResourceType('', 'v1', 'pods') as ResourceType;

/** Pods may be deleted behind the scheduler's back (by a user, or with their namespace). */
function unlessGone<T>(write: () => T): T | undefined {
  try {
    return write();
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 404) return undefined;
    throw error;
  }
}

/** Creates, binds, ends and deletes a workload's pods in the store, as the kubelet would report them. */
export class GpuPodWriter {
  constructor(private readonly store: ObjectStore) {}

  createPending(t: TrackedWorkload, pod: TrackedPod, message: string, at: string): void {
    this.store.create(PODS, t.namespace, podFor(t.kind, t.object, pod.demand, pod.name));
    this.writeStatus(t, pod, pendingPodStatus(message, at));
  }

  /** Rewrites the Unschedulable message when the reason changed (the transition time stays). */
  refreshPending(t: TrackedWorkload, pod: TrackedPod, message: string): void {
    unlessGone(() => {
      const stored = this.store.get(PODS, t.namespace, pod.name);
      const status = stored.status as JsonObject | undefined;
      const condition = (status?.conditions as JsonObject[] | undefined)?.[0];
      if (status === undefined || condition === undefined || condition.message === message) return;
      this.writeStatus(t, pod, { ...status, conditions: [{ ...condition, message }] });
    });
  }

  /** Binds the pod to its node (creating it first when it does not exist yet) and starts it. */
  run(t: TrackedWorkload, pod: TrackedPod, at: string): void {
    const node = pod.node as string;
    const bound = unlessGone(() => {
      const stored = this.store.get(PODS, t.namespace, pod.name);
      return this.store.update(PODS, t.namespace, pod.name, { ...stored, spec: { ...(stored.spec as JsonObject), nodeName: node } });
    });
    if (bound === undefined) {
      const created = podFor(t.kind, t.object, pod.demand, pod.name);
      this.store.create(PODS, t.namespace, { ...created, spec: { ...(created.spec as JsonObject), nodeName: node } });
    }
    this.writeStatus(t, pod, runningPodStatus(pod.demand, at));
  }

  end(t: TrackedWorkload, pod: TrackedPod, phase: 'Succeeded' | 'Failed', reason: string, at: string): void {
    unlessGone(() => {
      const stored = this.store.get(PODS, t.namespace, pod.name);
      const ending = { phase, reason, exitCode: phase === 'Succeeded' ? 0 : exitCodeFor(reason), at };
      this.writeStatus(t, pod, endedPodStatus((stored.status as JsonObject | undefined) ?? {}, ending));
    });
  }

  delete(t: TrackedWorkload, pod: TrackedPod): void {
    unlessGone(() => this.store.delete(PODS, t.namespace, pod.name));
  }

  private writeStatus(t: TrackedWorkload, pod: TrackedPod, status: JsonObject): void {
    unlessGone(() => {
      const stored = this.store.get(PODS, t.namespace, pod.name);
      this.store.update(PODS, t.namespace, pod.name, { ...stored, status }, { subresource: 'status' });
    });
  }
}
