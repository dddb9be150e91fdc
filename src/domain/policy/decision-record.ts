import type { ActionDecision } from './action-decision.js';
import type { ActionRecord } from './guardrail-state.js';
import { jobKey } from './signals.js';

/** The history record of a fresh decision, as the orchestration layer first stores it. */
export function recordOf(decision: ActionDecision): ActionRecord {
  const victims = decision.plan.kind === 'preempt' ? decision.plan.preemption.victims.map(jobKey) : undefined;
  return {
    id: decision.id, policy: decision.policy, kind: decision.kind, target: decision.target.key, status: decision.status, createdAt: decision.decidedAt,
    ...(victims ? { victims } : {}),
  };
}
