import { GPU_RESOURCE } from './gpu-demand.js';
import type { GpuNode } from './gpu-placement.js';
import type { JsonObject } from './json.js';
import type { ObjectStore } from './object-store.js';
import { findResourceType, type ResourceType } from './resource-registry.js';

function resource(group: string, version: string, plural: string): ResourceType {
  const found = findResourceType(group, version, plural);
  if (found === undefined) throw new Error(`the emulator does not serve ${plural}`);
  return found;
}

function createIfAbsent(store: ObjectStore, type: ResourceType, name: string, body: Record<string, unknown>): void {
  if (store.list(type, undefined).some((o) => (o.metadata as { name?: string } | undefined)?.name === name)) return;
  const created = store.create(type, undefined, body as JsonObject);
  // Creation drops the status of kinds with a /status subresource, as the API server does.
  if (body.status !== undefined && type.hasStatus) store.update(type, undefined, name, { ...created, status: body.status } as JsonObject, { subresource: 'status' });
}

/**
 * The Node and PriorityClass objects behind the scheduler's pool, so clients reading the API (the
 * orchestration layer sums `status.allocatable["nvidia.com/gpu"]`) see the same cluster it runs.
 */
export function registerClusterObjects(store: ObjectStore, nodes: readonly GpuNode[], priorityClasses: Readonly<Record<string, number>>): void {
  const nodeType = resource('', 'v1', 'nodes');
  for (const node of nodes) {
    const gpus = String(node.gpus);
    createIfAbsent(store, nodeType, node.name, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, 'nvidia.com/gpu.present': 'true' } },
      status: { capacity: { [GPU_RESOURCE]: gpus }, allocatable: { [GPU_RESOURCE]: gpus }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  const classType = resource('scheduling.k8s.io', 'v1', 'priorityclasses');
  for (const [name, value] of Object.entries(priorityClasses)) {
    createIfAbsent(store, classType, name, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority' });
  }
}
