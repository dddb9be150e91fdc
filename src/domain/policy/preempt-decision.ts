/** Preemption for a pending high-priority job, and suspension of an idle one. */
import { target, type Cause } from './action-decision.js';
import { preemptionCount, preemptionTimes } from './guardrail-state.js';
import type { DecisionContext, Draft } from './guardrails.js';
import type { PreemptAction } from './policy.js';
import { idleJobExclusion, planOf, selectVictims, workLostGpuHours, type VictimRules } from './preemption.js';
import { jobKey, type GpuContentionSignal, type GpuIdleSignal } from './signals.js';

const iso = (ms: number) => new Date(ms).toISOString();

function rulesOf(action: PreemptAction, blastRadius: number, ctx: DecisionContext, suspended: VictimRules['suspended']): VictimRules {
  const times = preemptionTimes(ctx.history, ctx.now);
  return {
    now: ctx.now,
    minRuntimeMs: action.minRuntimeMs,
    maxPreemptionsPerJob: action.maxPreemptionsPerJob,
    preemptionsOf: (key) => preemptionCount(times, key, action.preemptionWindowMs, ctx.now),
    blastRadius,
    gracePeriodMs: action.gracePeriodMs,
    suspended,
  };
}

type Base = Omit<Draft, 'reason' | 'plan' | 'denial'>;

function contentionBase(policy: string, s: GpuContentionSignal): Base {
  const p = s.pending;
  return {
    id: `preempt:${p.namespace}/${p.name}:${p.pendingSince}`, policy, kind: 'preempt', target: target('job', p.namespace, p.name),
    cause: { signal: 'gpu_contention', pending_job: jobKey(p), priority: p.priority, gpus: p.gpus, free_gpus: s.freeGpus, pending_since: iso(p.pendingSince) } satisfies Cause,
  };
}

/** A preemption that cannot go ahead: no victims, denied by `guard`. */
function refused(base: Base, s: GpuContentionSignal, action: PreemptAction, now: number, denial: Draft['denial']): Draft {
  const p = s.pending;
  const plan = planOf(p, [], { now, gracePeriodMs: action.gracePeriodMs });
  return { ...base, reason: `${jobKey(p)} (priority ${p.priority}) needs ${p.gpus} GPU(s), ${s.freeGpus} free`, plan: { kind: 'preempt', preemption: plan }, ...(denial ? { denial } : {}) };
}

/** A draft for the pending job, or undefined when it fits without preempting anyone. */
export function contentionDraft(policy: string, action: PreemptAction, blastRadius: number, s: GpuContentionSignal, ctx: DecisionContext): Draft | undefined {
  const p = s.pending;
  if (p.gpus <= s.freeGpus) return undefined;
  const base = contentionBase(policy, s);
  if (p.kueueManaged === true) {
    return refused(base, s, action, ctx.now, { guard: 'kueue-managed', reason: `${jobKey(p)} is managed by Kueue (kueue.x-k8s.io/queue-name); Kueue decides what to preempt for it` });
  }
  const selection = selectVictims(p, s.running, s.freeGpus, rulesOf(action, blastRadius, ctx, s.suspended));
  if (!selection.feasible) return refused(base, s, action, ctx.now, { guard: selection.deniedBy, reason: `no feasible set of victims: ${selection.why}` });
  const names = selection.victims.map((v) => `${v.namespace}/${v.name}`).join(', ');
  const kueue = selection.excluded.filter((e) => e.rule === 'kueue-managed').map((e) => e.job);
  const leftAlone = kueue.length > 0 ? `; left alone as Kueue-managed: ${kueue.join(', ')}` : '';
  return { ...base, reason: `${jobKey(p)} (priority ${p.priority}) needs ${p.gpus} GPU(s), ${s.freeGpus} free: preempt ${names}${leftAlone}`, plan: { kind: 'preempt', preemption: selection.plan } };
}

/** A draft suspending an idle job; Kueue-managed, too young, too often preempted or over the blast radius is denied. */
export function idleDraft(policy: string, action: PreemptAction, blastRadius: number, s: GpuIdleSignal, ctx: DecisionContext): Draft {
  const job = s.job;
  const rules = rulesOf(action, blastRadius, ctx, []);
  const victim = { ...(job.kind ? { kind: job.kind } : {}), namespace: job.namespace, name: job.name, gpus: job.gpus, workLostGpuHours: workLostGpuHours(job), reason: `GPU utilisation ${Math.round((job.gpuUtilization ?? 0) * 100)}% since ${iso(s.idleSince)}` };
  const exclusion = idleJobExclusion(job, { jobs: s.namespaceJobs, suspended: s.namespaceSuspended }, rules);
  return {
    id: `preempt:idle:${job.namespace}/${job.name}:${s.idleSince}`, policy, kind: 'preempt', target: target('job', job.namespace, job.name),
    reason: `${jobKey(job)} holds ${job.gpus} GPU(s) idle since ${iso(s.idleSince)}: suspend it`,
    cause: { signal: 'gpu_idle', job: jobKey(job), gpus: job.gpus, gpu_utilization: job.gpuUtilization ?? null, idle_since: iso(s.idleSince) },
    plan: { kind: 'preempt', preemption: planOf(null, [victim], rules) },
    ...(exclusion && exclusion.rule !== 'priority' ? { denial: { guard: exclusion.rule, reason: exclusion.reason } } : {}),
  };
}
