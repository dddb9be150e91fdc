/**
 * An admin approved an action that was awaiting approval. Time has passed since it was decided, so
 * the guardrails are checked again at `now` (a budget may have frozen, a breaker opened) before it
 * may act; the action itself does not count against its own limits. A preemption's victims were
 * chosen at decision time: the orchestration layer re-reads the jobs before suspending anyone.
 */
import type { ActionDecision } from './action-decision.js';
import { applyGuardrails, type DecisionContext } from './guardrails.js';
import type { Policy } from './policy.js';

export function decideApproved(decision: ActionDecision, policy: Policy, ctx: DecisionContext): ActionDecision {
  const { status: _status, deniedBy: _deniedBy, decidedAt: _decidedAt, ...draft } = decision;
  const history = ctx.history.filter((r) => r.id !== decision.id);
  const approved: Policy = { ...policy, guardrails: { ...policy.guardrails, requireApproval: false } };
  return applyGuardrails(draft, approved, { ...ctx, history });
}
