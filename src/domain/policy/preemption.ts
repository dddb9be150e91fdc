/**
 * Victim selection for GPU preemption. Candidates must pass every exclusion rule (small named
 * predicates); they are ranked by lower priority, then idleness, then least work lost; the
 * cheapest prefix that frees enough GPUs within the blast radius is then pruned to a minimal set.
 */
import type { Guard } from './action-decision.js';
import { jobKey, type GpuJob, type PendingJob, type WorkloadKind } from './signals.js';

export interface VictimRules {
  now: number;
  minRuntimeMs: number;
  maxPreemptionsPerJob: number;
  /** Acted preemptions of a job (by key) within the policy's preemption window. */
  preemptionsOf: (jobKey: string) => number;
  blastRadius: number;
  gracePeriodMs: number;
  /** Jobs mlwarden suspended and has not resumed (they count against their namespace's blast radius). */
  suspended: ReadonlyArray<{ namespace: string; name: string }>;
}

export interface Victim {
  kind?: WorkloadKind;
  namespace: string;
  name: string;
  gpus: number;
  workLostGpuHours: number;
  reason: string;
}

export interface Exclusion {
  job: string;
  rule: Guard | 'priority';
  reason: string;
}

/** The plan returned as data: ask for a checkpoint, wait for it or the grace period, then suspend. */
export interface PreemptionPlan {
  /** The job the GPUs are freed for; null when an idle job is suspended for its own sake. */
  pending: { kind?: WorkloadKind; namespace: string; name: string; gpus: number; priority: number } | null;
  victims: Victim[];
  phases: [
    { phase: 'request-checkpoint'; jobs: string[] },
    { phase: 'wait'; until: 'checkpoint-or-grace'; graceMs: number; deadline: number },
    { phase: 'suspend'; jobs: string[] },
  ];
}

export type VictimSelection =
  | { feasible: true; victims: Victim[]; excluded: Exclusion[]; plan: PreemptionPlan }
  | { feasible: false; deniedBy: Guard; why: string; excluded: Exclusion[] };

type Rule = (job: GpuJob, pending: PendingJob, rules: VictimRules) => Exclusion | undefined;

const lowerPriorityOnly: Rule = (job, pending) =>
  job.priority < pending.priority ? undefined : { job: jobKey(job), rule: 'priority', reason: `priority ${job.priority} is not below the pending job's ${pending.priority}` };

const notKueueManaged: Rule = (job) =>
  job.kueueManaged ? { job: jobKey(job), rule: 'kueue-managed', reason: 'managed by Kueue (kueue.x-k8s.io/queue-name); Kueue decides its preemption' } : undefined;

const ranLongEnough: Rule = (job, _p, rules) =>
  job.runtimeSeconds * 1000 >= rules.minRuntimeMs ? undefined : { job: jobKey(job), rule: 'min-runtime', reason: `has run ${job.runtimeSeconds}s, under the minimum runtime of ${rules.minRuntimeMs / 1000}s` };

const notPreemptedTooOften: Rule = (job, _p, rules) => {
  const count = rules.preemptionsOf(jobKey(job));
  return count < rules.maxPreemptionsPerJob ? undefined : { job: jobKey(job), rule: 'preemption-bound', reason: `already preempted ${count} time(s) in the window (max ${rules.maxPreemptionsPerJob})` };
};

/** Exclusion rules, in the order their reason is reported. */
export const VICTIM_RULES: readonly Rule[] = [notKueueManaged, lowerPriorityOnly, ranLongEnough, notPreemptedTooOften];

/** The rules for suspending one idle job (no pending job to compare priorities with), blast radius included. */
export function idleJobExclusion(job: GpuJob, namespace: { jobs: number; suspended: number }, rules: VictimRules): Exclusion | undefined {
  const none: PendingJob = { namespace: job.namespace, name: '', priority: Number.POSITIVE_INFINITY, gpus: 0, pendingSince: 0 };
  const ruled = [notKueueManaged, ranLongEnough, notPreemptedTooOften].map((rule) => rule(job, none, rules)).find((e) => e !== undefined);
  if (ruled) return ruled;
  const allowed = Math.floor(rules.blastRadius * namespace.jobs + 1e-9);
  return namespace.suspended + 1 <= allowed ? undefined : { job: jobKey(job), rule: 'blast-radius', reason: `namespace ${job.namespace} has ${namespace.suspended} of ${namespace.jobs} jobs suspended; one more exceeds the blast radius of ${rules.blastRadius}` };
}

/** GPU-hours a suspension would throw away: since the last checkpoint when reported, else since start. */
export const workLostGpuHours = (job: GpuJob): number => (job.gpus * (job.secondsSinceCheckpoint ?? job.runtimeSeconds)) / 3600;

/** Missing telemetry ranks as fully busy: no data is not idleness. */
const utilization = (job: GpuJob): number => job.gpuUtilization ?? 1;

export function compareVictims(a: GpuJob, b: GpuJob): number {
  return a.priority - b.priority || utilization(a) - utilization(b) || workLostGpuHours(a) - workLostGpuHours(b) || jobKey(a).localeCompare(jobKey(b));
}

export function victimReason(job: GpuJob, pending: PendingJob): string {
  const util = job.gpuUtilization === undefined ? 'no utilisation telemetry' : `GPU utilisation ${Math.round(job.gpuUtilization * 100)}%`;
  const since = job.secondsSinceCheckpoint === undefined ? 'since start (no checkpoint reported)' : 'since its last checkpoint';
  return `priority ${job.priority} < ${pending.priority}; ${util}; ${workLostGpuHours(job).toFixed(2)} GPU-hours lost ${since}`;
}

/** How many more jobs of a namespace may be preempted: floor(radius × jobs) minus those already suspended. */
function blastAllowance(running: readonly GpuJob[], rules: VictimRules): Map<string, number> {
  const total = new Map<string, number>();
  const down = new Map<string, number>();
  for (const j of [...running, ...rules.suspended]) total.set(j.namespace, (total.get(j.namespace) ?? 0) + 1);
  for (const j of rules.suspended) down.set(j.namespace, (down.get(j.namespace) ?? 0) + 1);
  return new Map([...total].map(([ns, n]) => [ns, Math.floor(rules.blastRadius * n + 1e-9) - (down.get(ns) ?? 0)]));
}

const gpusOf = (jobs: readonly GpuJob[]) => jobs.reduce((sum, j) => sum + j.gpus, 0);

/** Drops victims (least preferred first) that the set does not need. */
function minimal(chosen: GpuJob[], need: number): GpuJob[] {
  const kept = [...chosen];
  for (let i = kept.length - 1; i >= 0; i--) {
    const without = kept.filter((_, k) => k !== i);
    if (gpusOf(without) >= need) kept.splice(i, 1);
  }
  return kept;
}

export function planOf(pending: PendingJob | null, victims: Victim[], rules: Pick<VictimRules, 'now' | 'gracePeriodMs'>): PreemptionPlan {
  const jobs = victims.map(jobKey);
  return {
    pending: pending && { ...(pending.kind ? { kind: pending.kind } : {}), namespace: pending.namespace, name: pending.name, gpus: pending.gpus, priority: pending.priority },
    victims,
    phases: [
      { phase: 'request-checkpoint', jobs },
      { phase: 'wait', until: 'checkpoint-or-grace', graceMs: rules.gracePeriodMs, deadline: rules.now + rules.gracePeriodMs },
      { phase: 'suspend', jobs },
    ],
  };
}

function infeasible(need: number, eligibleGpus: number, excluded: Exclusion[]): VictimSelection {
  const counts = new Map<string, number>();
  for (const e of excluded) counts.set(e.rule, (counts.get(e.rule) ?? 0) + 1);
  const detail = [...counts].map(([rule, n]) => `${n} ${rule}`).join(', ');
  const blast = excluded.some((e) => e.rule === 'blast-radius');
  return {
    feasible: false,
    deniedBy: blast ? 'blast-radius' : 'no-feasible-victims',
    why: `needs ${need} more GPU(s) but the eligible victims free only ${eligibleGpus}${detail ? ` (excluded: ${detail})` : ''}`,
    excluded,
  };
}

/** Chooses the jobs to preempt so `pending` fits, or says why no set is feasible. */
export function selectVictims(pending: PendingJob, running: readonly GpuJob[], freeGpus: number, rules: VictimRules): VictimSelection {
  const need = pending.gpus - freeGpus;
  const excluded: Exclusion[] = [];
  const eligible = running.filter((job) => {
    const exclusion = VICTIM_RULES.map((rule) => rule(job, pending, rules)).find((e) => e !== undefined);
    if (exclusion) excluded.push(exclusion);
    return exclusion === undefined;
  });
  const allowance = blastAllowance(running, rules);
  const chosen: GpuJob[] = [];
  for (const job of [...eligible].sort(compareVictims)) {
    if (gpusOf(chosen) >= need) break;
    const left = allowance.get(job.namespace) ?? 0;
    if (left <= 0) {
      excluded.push({ job: jobKey(job), rule: 'blast-radius', reason: `preempting it would exceed the blast radius of ${rules.blastRadius} of namespace ${job.namespace}'s jobs` });
      continue;
    }
    allowance.set(job.namespace, left - 1);
    chosen.push(job);
  }
  if (gpusOf(chosen) < need) return infeasible(need, gpusOf(chosen), excluded);
  const victims = minimal(chosen, need).map((job) => ({ ...(job.kind ? { kind: job.kind } : {}), namespace: job.namespace, name: job.name, gpus: job.gpus, workLostGpuHours: workLostGpuHours(job), reason: victimReason(job, pending) }));
  return { feasible: true, victims, excluded, plan: planOf(pending, victims, rules) };
}
