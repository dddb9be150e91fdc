import type { Demand, PodDemand } from './gpu-demand.js';
import type { StatusSnapshot } from './gpu-status.js';
import type { JsonObject } from './json.js';
import type { ResourceType } from './resource-registry.js';

/** What the scheduler needs from each workload kind it runs (batch Job, PyTorchJob). */
export interface GpuWorkloadKind {
  kind: 'Job' | 'PyTorchJob';
  resource: ResourceType;
  demand(object: JsonObject, priorityClasses: Record<string, number>): Demand;
  suspended(object: JsonObject): boolean;
  backoffLimit(object: JsonObject): number;
  activeDeadlineSeconds(object: JsonObject): number | undefined;
  podName(object: JsonObject, pod: PodDemand): string;
  podLabels(object: JsonObject, pod: PodDemand): Record<string, string>;
  /** The status to store for this snapshot, keeping unchanged conditions as they are. */
  status(object: JsonObject, snapshot: StatusSnapshot, at: string): JsonObject;
}
