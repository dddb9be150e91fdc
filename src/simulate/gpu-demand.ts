import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';

/** One pod a workload needs: its GPUs and what identifies it among the workload's pods. */
export interface PodDemand {
  gpus: number;
  /** The pod template's spec (containers and the rest). */
  podSpec: JsonObject;
  /** PyTorchJob replica type, lowercase (master/worker); undefined for a Job. */
  replicaType?: string;
  index: number;
}

export interface Demand {
  pods: PodDemand[];
  priority: number;
}

export const objectAt = (value: JsonValue | undefined): JsonObject => (isJsonObject(value) ? value : {});

function quantity(value: JsonValue | undefined): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** GPUs a pod template asks for: each container's limit, or its request when no limit is set. */
export function podTemplateGpus(podSpec: JsonObject): number {
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  return containers.reduce<number>((sum, container) => {
    const resources = objectAt(objectAt(container).resources);
    const limit = objectAt(resources.limits)[GPU_RESOURCE];
    return sum + quantity(limit ?? objectAt(resources.requests)[GPU_RESOURCE]);
  }, 0);
}

/** A pod template's priority: its `priority`, else its class's value, else 0. */
export function templatePriority(podSpec: JsonObject, classes: Record<string, number>, className?: JsonValue): number {
  if (typeof podSpec.priority === 'number') return podSpec.priority;
  const name = typeof className === 'string' ? className : podSpec.priorityClassName;
  return typeof name === 'string' ? (classes[name] ?? 0) : 0;
}

export const totalGpus = (demand: Demand): number => demand.pods.reduce((sum, pod) => sum + pod.gpus, 0);
