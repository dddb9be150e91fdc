/**
 * GPU utilisation samples for the workloads running on the emulated pool, shaped like
 * dcgm-exporter readings: steady training near saturation, data-loading stalls (the input pipeline
 * starves the GPU every few minutes) and idle notebooks holding a GPU at a few percent.
 */
import type { GpuWorkload } from '../gpu-scheduler.js';
import type { GpuProfile } from './scenario.js';
import type { SeededRandom } from './seeded-random.js';

export const GPU_PROFILE_ANNOTATION = 'fleet.mlwarden.dev/gpu-profile';
const GPU_MODEL = 'NVIDIA A100-SXM4-80GB';
const GPU_MEMORY_BYTES = 80 * 1024 ** 3;

export interface RunningGpuJob {
  namespace: string;
  name: string;
  gpus: number;
  profile: GpuProfile;
}

export function runningGpuJobs(workloads: readonly GpuWorkload[]): RunningGpuJob[] {
  return workloads
    .filter((w) => w.state === 'running')
    .map((w) => ({ namespace: w.namespace, name: w.name, gpus: w.gpus, profile: (w.annotations[GPU_PROFILE_ANNOTATION] as GpuProfile | undefined) ?? 'steady' }));
}

function utilization(profile: GpuProfile, minute: number, rng: SeededRandom): number {
  const jitter = rng.normal();
  if (profile === 'idle') return Math.max(0, 2 + jitter);
  // A stall every fourth minute, while the data loader refills its buffers.
  if (profile === 'stalls' && Math.floor(minute / 60_000) % 4 === 0) return Math.max(0, 12 + 4 * jitter);
  return Math.min(100, (profile === 'stalls' ? 70 : 92) + 3 * jitter);
}

/** One sample per GPU of every running job for the minute starting at `minute`. */
export function gpuSamples(jobs: readonly RunningGpuJob[], nodes: number, minute: number, rng: SeededRandom): Array<Record<string, unknown>> {
  return jobs.flatMap((job, j) =>
    Array.from({ length: job.gpus }, (_, index) => {
      const util = Math.round(utilization(job.profile, minute, rng) * 10) / 10;
      return {
        ts: minute + 30_000,
        node: `gpu-node-${j % nodes}`,
        gpu_uuid: `GPU-${job.namespace}-${job.name}-${index}`,
        gpu_index: index,
        gpu_model: GPU_MODEL,
        namespace: job.namespace,
        pod: `${job.name}-0`,
        job: job.name,
        util_pct: util,
        mem_used_bytes: Math.round(GPU_MEMORY_BYTES * (job.profile === 'idle' ? 0.05 : 0.7)),
        mem_total_bytes: GPU_MEMORY_BYTES,
      };
    }),
  );
}
