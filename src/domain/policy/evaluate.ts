/** Signals → decisions: the engine's entry points. Pure: `now`, history and budgets come in the context. */
import type { PolicyOutcome } from './action-decision.js';
import { recordOf } from './decision-record.js';
import { alreadyDecided, guardrailState } from './guardrail-state.js';
import { applyGuardrails, type DecisionContext, type Draft } from './guardrails.js';
import type { Policy } from './policy.js';
import { contentionDraft, idleDraft } from './preempt-decision.js';
import { retrainDraft } from './retrain-decision.js';
import { rollbackDraft } from './rollback-decision.js';
import type { Signal } from './signals.js';
import { triggerFires } from './triggers.js';

const NO_EVIDENCE = (data: string) => `the SLI has ${data === 'no-data' ? 'no data' : 'too few events'}: no data is not a failure, nothing to act on`;

/** The draft action for a fired policy, or why there is none. */
function draftFor(policy: Policy, signal: Signal, ctx: DecisionContext): Draft | string {
  const { action, guardrails } = policy;
  if (signal.kind === 'slo_alert' && signal.data !== 'ok') return NO_EVIDENCE(signal.data);
  if (action.type === 'retrain' && (signal.kind === 'drift_episode' || signal.kind === 'slo_alert')) return retrainDraft(policy.name, action, signal);
  if (action.type === 'rollback' && signal.kind === 'slo_alert') return rollbackDraft(policy.name, action, signal, ctx.now);
  if (action.type === 'preempt' && signal.kind === 'gpu_contention') return contentionDraft(policy.name, action, guardrails.blastRadius, signal, ctx) ?? 'the pending job fits in the free GPUs';
  if (action.type === 'preempt' && signal.kind === 'gpu_idle') return idleDraft(policy.name, action, guardrails.blastRadius, signal, ctx);
  return `a ${action.type} action cannot answer a ${signal.kind} signal`;
}

/** One policy against one signal at `ctx.now`. */
export function evaluatePolicy(policy: Policy, signal: Signal, ctx: DecisionContext): PolicyOutcome {
  const skipped = (reason: string): PolicyOutcome => ({ skipped: { policy: policy.name, reason } });
  const fired = triggerFires(policy.trigger, signal, ctx.now);
  if (!fired.fired) return skipped(fired.reason);
  const draft = draftFor(policy, signal, ctx);
  if (typeof draft === 'string') return skipped(draft);
  const prior = alreadyDecided(guardrailState(ctx.history, policy.name, ctx.now), draft.id);
  if (prior) return skipped(`action ${draft.id} was already decided (${prior.status}) by policy ${prior.policy}`);
  return { decision: applyGuardrails(draft, policy, ctx) };
}

/**
 * Every policy against one signal, in order; each decision joins the history the next policy sees,
 * so two policies never act twice on one episode and preemption counts stay exact.
 */
export function evaluatePolicies(policies: readonly Policy[], signal: Signal, ctx: DecisionContext): PolicyOutcome[] {
  let history = ctx.history;
  return policies.map((policy) => {
    const outcome = evaluatePolicy(policy, signal, { ...ctx, history });
    if ('decision' in outcome && outcome.decision.status !== 'denied') history = [...history, recordOf(outcome.decision)];
    return outcome;
  });
}
