/**
 * The GPU signals of one instant, from the pool as it stands and the preemptions in flight: at most
 * one contention signal (the highest-priority pending job nobody is already freeing GPUs for),
 * idleness per running job, and the jobs mlwarden suspended. GPUs a preemption in flight is about
 * to free count as free, and its victims are no longer candidates, so two passes never pick the
 * same victims twice. The live engine (orchestration/gpu-signals.ts) and the backtest
 * (backtest-gpu.ts) both build their signals here.
 */
import { idleness, type UtilizationMinute } from './gpu-idleness.js';
import type { SuspendedJob } from './resume-decision.js';
import { jobKey, type GpuContentionSignal, type GpuIdleSignal, type GpuJob, type PendingJob, type WorkloadKind } from './signals.js';

/** A GPU workload as the pool shows it (read off the cluster, or rebuilt from stored runs). */
export interface PoolWorkload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  gpus: number;
  priority: number;
  phase: 'running' | 'pending' | 'suspended' | 'finished';
  /** When it started waiting for GPUs (creation, or when it was last resumed). */
  pendingSince: number;
  startedAt?: number;
  lastCheckpointAt?: number;
  kueueManaged: boolean;
  /** The preempt action that suspended it, when mlwarden did. */
  suspendedBy?: string;
  suspendedAt?: number;
}

/** Preemptions decided and not finished: their victims are leaving, their pending jobs are promised GPUs (job keys). */
export interface PreemptionsInFlight {
  victims: ReadonlySet<string>;
  servedPending: ReadonlySet<string>;
}

export interface GpuPoolSignals {
  contention: GpuContentionSignal | undefined;
  /** Running jobs with their utilisation minutes, for idle triggers (each policy has its own threshold). */
  running: Array<{ job: GpuJob; minutes: UtilizationMinute[] }>;
  suspended: SuspendedJob[];
  /** GPUs free for resuming suspended jobs: free minus what higher-priority pending jobs need. */
  freeForResume: (priority: number) => number;
  namespaceCounts: (namespace: string) => { jobs: number; suspended: number };
}

/** Utilisation reported for a job is the mean of its latest minutes. */
const RECENT_MINUTES = 5;

function recentUtilization(minutes: readonly UtilizationMinute[]): number | undefined {
  const recent = [...minutes].sort((a, b) => b.minute - a.minute).slice(0, RECENT_MINUTES);
  return recent.length === 0 ? undefined : recent.reduce((s, m) => s + m.utilization, 0) / recent.length;
}

function gpuJobOf(w: PoolWorkload, minutes: readonly UtilizationMinute[], now: number): GpuJob {
  const utilization = recentUtilization(minutes);
  const since = w.lastCheckpointAt;
  return {
    kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus,
    runtimeSeconds: Math.max(0, Math.floor((now - (w.startedAt ?? now)) / 1000)),
    kueueManaged: w.kueueManaged,
    ...(utilization !== undefined ? { gpuUtilization: utilization } : {}),
    ...(since !== undefined ? { secondsSinceCheckpoint: Math.max(0, Math.floor((now - since) / 1000)) } : {}),
  };
}

const pendingOf = (w: PoolWorkload): PendingJob => ({ kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, pendingSince: w.pendingSince, kueueManaged: w.kueueManaged });

const gpusOf = (ws: readonly PoolWorkload[]) => ws.reduce((s, w) => s + w.gpus, 0);

export function gpuPoolSignals(pool: { capacity: number; workloads: readonly PoolWorkload[] }, flight: PreemptionsInFlight, minutesOf: (w: PoolWorkload) => UtilizationMinute[], now: number): GpuPoolSignals {
  const { workloads } = pool;
  const running = workloads.filter((w) => w.phase === 'running');
  const used = gpusOf(running);
  const pending = workloads.filter((w) => w.phase === 'pending').sort((a, b) => b.priority - a.priority || a.pendingSince - b.pendingSince);
  const leaving = gpusOf(running.filter((w) => flight.victims.has(jobKey(w))));
  const promised = gpusOf(pending.filter((w) => flight.servedPending.has(jobKey(w))));
  const free = Math.max(0, pool.capacity - used + leaving - promised);
  const candidates = running.filter((w) => !flight.victims.has(jobKey(w)));
  const suspendedByUs = workloads.filter((w) => w.phase === 'suspended' && w.suspendedBy !== undefined);
  const next = pending.find((w) => !flight.servedPending.has(jobKey(w)));
  const contention: GpuContentionSignal | undefined = next && {
    kind: 'gpu_contention', pending: pendingOf(next), running: candidates.map((w) => gpuJobOf(w, minutesOf(w), now)),
    suspended: suspendedByUs.map((w) => ({ namespace: w.namespace, name: w.name })), freeGpus: free,
  };
  return {
    contention,
    running: candidates.map((w) => ({ job: gpuJobOf(w, minutesOf(w), now), minutes: minutesOf(w) })),
    suspended: suspendedByUs.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, suspendedBy: w.suspendedBy as string, suspendedAt: w.suspendedAt ?? now })),
    freeForResume: (priority) => Math.max(0, pool.capacity - used - gpusOf(pending.filter((w) => w.priority > priority))),
    namespaceCounts: (namespace) => ({
      jobs: workloads.filter((w) => w.namespace === namespace && (w.phase === 'running' || (w.phase === 'suspended' && w.suspendedBy !== undefined))).length,
      suspended: suspendedByUs.filter((w) => w.namespace === namespace).length,
    }),
  };
}

/** An idle signal for one running job under a policy's threshold, when its trailing minutes are idle. */
export function idleSignal(entry: GpuPoolSignals['running'][number], below: number, counts: { jobs: number; suspended: number }): GpuIdleSignal | undefined {
  const idle = idleness(entry.minutes, below);
  if (idle.idleSince === undefined) return undefined;
  return { kind: 'gpu_idle', job: { ...entry.job, ...(idle.utilization !== undefined ? { gpuUtilization: idle.utilization } : {}) }, idleSince: idle.idleSince, namespaceJobs: counts.jobs, namespaceSuspended: counts.suspended };
}
