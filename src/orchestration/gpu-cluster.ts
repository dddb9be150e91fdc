/** The GPU pool as the API shows it: capacity from Nodes, workloads from Jobs, PyTorchJobs and TFJobs. */
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { WorkloadKind } from '../domain/policy/index.js';
import { SUSPENDED_BY_ANNOTATION } from './action-markers.js';
import { withBackoff } from './backoff.js';
import { GPU_RESOURCE, readWorkload, type Workload } from './gpu-workloads.js';
import { kubeApis } from './kube-apis.js';
import { KubeObjects, PRIORITYCLASSES } from './kube-objects.js';
import { WORKLOAD_RESOURCES } from './workload-suspension.js';

export interface GpuCluster {
  capacity: number;
  /** GPUs held by running workloads. */
  used: number;
  workloads: Workload[];
}

async function gpuCapacity(core: CoreV1Api): Promise<number> {
  const nodes = await withBackoff('list nodes', () => core.listNode());
  return nodes.items.reduce((sum, n) => sum + Number(n.status?.allocatable?.[GPU_RESOURCE] ?? 0), 0);
}

async function priorityClasses(objects: KubeObjects): Promise<Map<string, number>> {
  const classes = await objects.listCluster(PRIORITYCLASSES);
  return new Map(classes.map((c) => [c.metadata.name, Number(c.value ?? 0)]));
}

/**
 * Reads the cluster's GPU workloads (all namespaces, or the given ones). Kinds whose API is not
 * installed (no training-operator: 404) are skipped.
 */
export async function readGpuCluster(objects: KubeObjects, core: CoreV1Api, kinds: readonly WorkloadKind[] = ['Job', 'PyTorchJob', 'TFJob']): Promise<GpuCluster> {
  const [capacity, classes] = await Promise.all([gpuCapacity(core), priorityClasses(objects)]);
  const workloads: Workload[] = [];
  for (const kind of kinds) {
    const items = await objects.list(WORKLOAD_RESOURCES[kind], undefined).catch((error: unknown) => {
      if (kind !== 'Job' && (error as { code?: number }).code === 404) return [];
      throw error;
    });
    workloads.push(...items.map((o) => readWorkload(kind, o, classes, SUSPENDED_BY_ANNOTATION)).filter((w) => w.gpus > 0));
  }
  const used = workloads.filter((w) => w.phase === 'running').reduce((sum, w) => sum + w.gpus, 0);
  return { capacity, used, workloads };
}

/** The GPU pool of the cluster a kubeconfig names (for the status page). */
export function readGpuPool(kubeConfig: KubeConfig): Promise<GpuCluster> {
  const apis = kubeApis(kubeConfig);
  return readGpuCluster(new KubeObjects(apis.custom), apis.core);
}
