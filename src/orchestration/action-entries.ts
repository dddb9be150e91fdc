/** Between the engine's decisions (domain) and the audit trail's rows (store). */
import type { ActionDecision, ActionKind, ActionPlan, ActionTarget, Cause } from '../domain/policy/index.js';
import type { ActionEntry } from '../store/index.js';

export function entryOf(decision: ActionDecision, now: number): ActionEntry {
  const victims = decision.plan.kind === 'preempt' ? decision.plan.preemption.victims.map((v) => `job/${v.namespace}/${v.name}`) : [];
  return {
    id: decision.id, policy: decision.policy, kind: decision.kind, target: decision.target.key, status: decision.status,
    reason: decision.reason, cause: decision.cause, plan: { target: decision.target, ...decision.plan }, denied_by: decision.deniedBy ?? '',
    outcome: '', victims, actor: '', created_at: decision.decidedAt, updated_at: now, finished_at: null,
  };
}

export const planOf = (entry: ActionEntry): ActionPlan & { target: ActionTarget } => entry.plan as ActionPlan & { target: ActionTarget };

/** The stored decision, to re-run the guardrails when an admin approves it. */
export function decisionOfEntry(entry: ActionEntry): ActionDecision {
  const { target, ...plan } = planOf(entry);
  return {
    id: entry.id, policy: entry.policy, kind: entry.kind as ActionKind, target, status: 'awaiting-approval', reason: entry.reason,
    cause: entry.cause as Cause, plan: plan as ActionPlan, decidedAt: entry.created_at,
  };
}

/** The next state of an entry; `updated_at` always moves forward so the newest row wins in the table. */
export function advanced(entry: ActionEntry, change: Partial<ActionEntry>, now: number): ActionEntry {
  return { ...entry, ...change, updated_at: Math.max(now, entry.updated_at + 1) };
}

export function finished(entry: ActionEntry, outcome: 'succeeded' | 'failed', reason: string, now: number): ActionEntry {
  const next = advanced(entry, { status: outcome === 'succeeded' ? 'done' : 'failed', outcome, reason }, now);
  return { ...next, finished_at: next.updated_at };
}
