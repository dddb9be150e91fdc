/**
 * The GPU signals of one engine pass, from the cluster as read and the actions in flight: at most
 * one contention signal (the highest-priority pending job nobody is already freeing GPUs for),
 * idleness per running job, and the jobs mlwarden suspended. GPUs a preemption in flight is about
 * to free count as free, and its victims are no longer candidates, so two passes never pick the
 * same victims twice.
 */
import { idleness, jobKey, type GpuContentionSignal, type GpuIdleSignal, type GpuJob, type PendingJob, type SuspendedJob, type UtilizationMinute } from '../domain/policy/index.js';
import type { ActionEntry } from '../store/index.js';
import { planOf } from './action-entries.js';
import type { GpuCluster } from './gpu-cluster.js';
import type { Workload } from './gpu-workloads.js';

const IN_FLIGHT = new Set(['proposed', 'running', 'awaiting-approval']);
/** Utilisation reported for a job is the mean of its latest minutes. */
const RECENT_MINUTES = 5;

export interface GpuSignals {
  contention: GpuContentionSignal | undefined;
  /** Running jobs with their utilisation minutes, for idle triggers (each policy has its own threshold). */
  running: Array<{ job: GpuJob; minutes: UtilizationMinute[] }>;
  suspended: SuspendedJob[];
  /** GPUs free for resuming suspended jobs: free minus what higher-priority pending jobs need. */
  freeForResume: (priority: number) => number;
  namespaceCounts: (namespace: string) => { jobs: number; suspended: number };
}

const key = (w: { namespace: string; name: string }) => jobKey(w);

function recentUtilization(minutes: readonly UtilizationMinute[]): number | undefined {
  const recent = [...minutes].sort((a, b) => b.minute - a.minute).slice(0, RECENT_MINUTES);
  return recent.length === 0 ? undefined : recent.reduce((s, m) => s + m.utilization, 0) / recent.length;
}

function gpuJobOf(w: Workload, minutes: readonly UtilizationMinute[], now: number): GpuJob {
  const utilization = recentUtilization(minutes);
  const since = w.lastCheckpointAt ?? undefined;
  return {
    kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus,
    runtimeSeconds: Math.max(0, Math.floor((now - (w.startedAt ?? now)) / 1000)),
    kueueManaged: w.kueueManaged,
    ...(utilization !== undefined ? { gpuUtilization: utilization } : {}),
    ...(since !== undefined ? { secondsSinceCheckpoint: Math.max(0, Math.floor((now - since) / 1000)) } : {}),
  };
}

const pendingOf = (w: Workload): PendingJob => ({ kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, pendingSince: w.pendingSince, kueueManaged: w.kueueManaged });

interface InFlight {
  victims: Set<string>;
  servedPending: Set<string>;
}

function inFlightPreemptions(entries: readonly ActionEntry[]): InFlight {
  const victims = new Set<string>();
  const servedPending = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'preempt' || !IN_FLIGHT.has(e.status)) continue;
    const plan = planOf(e);
    if (plan.kind !== 'preempt') continue;
    for (const v of plan.preemption.victims) victims.add(key(v));
    if (plan.preemption.pending) servedPending.add(key(plan.preemption.pending));
  }
  return { victims, servedPending };
}

export function gpuSignals(cluster: GpuCluster, entries: readonly ActionEntry[], utilization: ReadonlyMap<string, UtilizationMinute[]>, now: number): GpuSignals {
  const flight = inFlightPreemptions(entries);
  const minutesOf = (w: Workload) => utilization.get(`${w.namespace}/${w.name}`) ?? [];
  const running = cluster.workloads.filter((w) => w.phase === 'running');
  const pending = cluster.workloads.filter((w) => w.phase === 'pending').sort((a, b) => b.priority - a.priority || a.pendingSince - b.pendingSince);
  const leaving = running.filter((w) => flight.victims.has(key(w))).reduce((s, w) => s + w.gpus, 0);
  const promised = pending.filter((w) => flight.servedPending.has(key(w))).reduce((s, w) => s + w.gpus, 0);
  const free = Math.max(0, cluster.capacity - cluster.used + leaving - promised);
  const candidates = running.filter((w) => !flight.victims.has(key(w)));
  const suspendedByUs = cluster.workloads.filter((w) => w.phase === 'suspended' && w.suspendedBy !== undefined);
  const next = pending.find((w) => !flight.servedPending.has(key(w)));
  const contention: GpuContentionSignal | undefined = next && {
    kind: 'gpu_contention', pending: pendingOf(next), running: candidates.map((w) => gpuJobOf(w, minutesOf(w), now)),
    suspended: suspendedByUs.map((w) => ({ namespace: w.namespace, name: w.name })), freeGpus: free,
  };
  return {
    contention,
    running: candidates.map((w) => ({ job: gpuJobOf(w, minutesOf(w), now), minutes: minutesOf(w) })),
    suspended: suspendedByUs.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, suspendedBy: w.suspendedBy as string, suspendedAt: w.suspendedAt ?? now })),
    freeForResume: (priority) => Math.max(0, cluster.capacity - cluster.used - pending.filter((w) => w.priority > priority).reduce((s, w) => s + w.gpus, 0)),
    namespaceCounts: (namespace) => ({
      jobs: cluster.workloads.filter((w) => w.namespace === namespace && (w.phase === 'running' || (w.phase === 'suspended' && w.suspendedBy !== undefined))).length,
      suspended: suspendedByUs.filter((w) => w.namespace === namespace).length,
    }),
  };
}

/** An idle signal for one running job under a policy's threshold, when its trailing minutes are idle. */
export function idleSignal(entry: GpuSignals['running'][number], below: number, counts: { jobs: number; suspended: number }): GpuIdleSignal | undefined {
  const idle = idleness(entry.minutes, below);
  if (idle.idleSince === undefined) return undefined;
  return { kind: 'gpu_idle', job: { ...entry.job, ...(idle.utilization !== undefined ? { gpuUtilization: idle.utilization } : {}) }, idleSince: idle.idleSince, namespaceJobs: counts.jobs, namespaceSuspended: counts.suspended };
}
