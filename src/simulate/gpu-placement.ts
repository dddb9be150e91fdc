import { GPU_RESOURCE } from './gpu-demand.js';

export interface GpuNode {
  name: string;
  gpus: number;
}

/** `gpus` split evenly over `count` nodes named gpu-node-0…, the remainder on the first ones. */
export function gpuNodes(gpus: number, count: number): GpuNode[] {
  if (!Number.isInteger(gpus) || gpus < 0) throw new Error(`gpus must be a non-negative integer, got ${gpus}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`nodes must be a positive integer, got ${count}`);
  const base = Math.floor(gpus / count);
  return Array.from({ length: count }, (_, i) => ({ name: `gpu-node-${i}`, gpus: base + (i < gpus % count ? 1 : 0) }));
}

/**
 * Nodes for every pod (first fit, largest pods first), or undefined when they do not all fit:
 * a workload starts whole or not at all, as gang scheduling would have it.
 */
export function placePods(free: ReadonlyMap<string, number>, podGpus: readonly number[]): string[] | undefined {
  const left = new Map(free);
  const order = podGpus.map((gpus, index) => ({ gpus, index })).sort((a, b) => b.gpus - a.gpus);
  const nodes: string[] = new Array<string>(podGpus.length);
  for (const { gpus, index } of order) {
    const node = [...left.entries()].find(([, n]) => n >= gpus)?.[0];
    if (node === undefined) return undefined;
    left.set(node, (left.get(node) ?? 0) - gpus);
    nodes[index] = node;
  }
  return nodes;
}

/** kube-scheduler's FailedScheduling message for a pod needing `gpus` GPUs. */
export function unschedulableMessage(free: ReadonlyMap<string, number>, gpus: number): string {
  const total = free.size;
  const short = [...free.values()].filter((n) => n < gpus).length || total;
  return `0/${total} nodes are available: ${short} Insufficient ${GPU_RESOURCE}. preemption: 0/${total} nodes are available: ${short} No preemption victims found for incoming pod.`;
}
