/**
 * The GPU signals of one engine pass: the cluster as read, the preemptions in flight from the audit
 * trail, and per-minute utilisation, handed to the domain's gpuPoolSignals.
 */
import { gpuPoolSignals, jobKey, type GpuPoolSignals, type PreemptionsInFlight, type UtilizationMinute } from '../domain/policy/index.js';
import type { ActionEntry } from '../store/index.js';
import { planOf } from './action-entries.js';
import type { GpuCluster } from './gpu-cluster.js';

const IN_FLIGHT = new Set(['proposed', 'running', 'awaiting-approval']);

function inFlightPreemptions(entries: readonly ActionEntry[]): PreemptionsInFlight {
  const victims = new Set<string>();
  const servedPending = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'preempt' || !IN_FLIGHT.has(e.status)) continue;
    const plan = planOf(e);
    if (plan.kind !== 'preempt') continue;
    for (const v of plan.preemption.victims) victims.add(jobKey(v));
    if (plan.preemption.pending) servedPending.add(jobKey(plan.preemption.pending));
  }
  return { victims, servedPending };
}

export function gpuSignals(cluster: GpuCluster, entries: readonly ActionEntry[], utilization: ReadonlyMap<string, UtilizationMinute[]>, now: number): GpuPoolSignals {
  return gpuPoolSignals(cluster, inFlightPreemptions(entries), (w) => utilization.get(`${w.namespace}/${w.name}`) ?? [], now);
}
