/** Resuming the jobs a policy preempted once capacity frees: highest priority first, as many as fit. */
import { target, type ActionDecision } from './action-decision.js';
import { applyGuardrails, type DecisionContext } from './guardrails.js';
import type { Policy } from './policy.js';
import { jobKey, type WorkloadKind } from './signals.js';
import { alreadyDecided, guardrailState } from './guardrail-state.js';

/** A job mlwarden suspended and has not resumed yet. */
export interface SuspendedJob {
  kind?: WorkloadKind;
  namespace: string;
  name: string;
  priority: number;
  gpus: number;
  /** The preempt action that suspended it. */
  suspendedBy: string;
  suspendedAt: number;
}

const order = (a: SuspendedJob, b: SuspendedJob) => b.priority - a.priority || a.suspendedAt - b.suspendedAt || jobKey(a).localeCompare(jobKey(b));

/** Which suspended jobs fit in `freeGpus` now; none for a policy that does not resume. */
export function decideResumes(policy: Policy, suspended: readonly SuspendedJob[], freeGpus: number, ctx: DecisionContext): ActionDecision[] {
  if (policy.action.type !== 'preempt' || !policy.action.resume) return [];
  const state = guardrailState(ctx.history, policy.name, ctx.now);
  const decisions: ActionDecision[] = [];
  let free = freeGpus;
  for (const job of [...suspended].filter((j) => j.suspendedBy !== '').sort(order)) {
    const id = `resume:${job.suspendedBy}:${jobKey(job)}`;
    if (job.gpus > free || alreadyDecided(state, id)) continue;
    free -= job.gpus;
    decisions.push(applyGuardrails({
      id, policy: policy.name, kind: 'resume', target: target('job', job.namespace, job.name),
      reason: `${job.gpus} GPU(s) free for ${jobKey(job)} (priority ${job.priority}), suspended by ${job.suspendedBy}`,
      cause: { signal: 'capacity_freed', job: jobKey(job), suspended_by: job.suspendedBy, free_gpus: freeGpus },
      plan: { kind: 'resume', job: { kind: job.kind ?? 'Job', namespace: job.namespace, name: job.name } },
    }, policy, ctx));
  }
  return decisions;
}
