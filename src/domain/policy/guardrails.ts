/**
 * The guardrails every policy carries, as small named predicates over a drafted action and the
 * guardrail state; the first that objects denies it. Then dry-run and approval set the status.
 */
import type { ActionDecision, Guard } from './action-decision.js';
import { atConcurrencyLimit, breakerOpen, cooldownLeft, guardrailState, rateLimited, type ActionRecord, type GuardrailState } from './guardrail-state.js';
import type { Policy } from './policy.js';

/** What the engine knows besides the signal: the time, the action history, the SLO budgets. */
export interface DecisionContext {
  now: number;
  history: readonly ActionRecord[];
  /** Budget remaining (fraction) for each SLO's current period; undefined when there is no figure yet. */
  budgets: Readonly<Record<string, number | undefined>>;
}

/** An action before the guardrails: everything but its status. A rule may already have denied it. */
export type Draft = Omit<ActionDecision, 'status' | 'deniedBy' | 'decidedAt'> & { denial?: Denial };

export interface Denial {
  guard: Guard;
  reason: string;
}

type Guardrail = (draft: Draft, policy: Policy, state: GuardrailState, ctx: DecisionContext) => Denial | undefined;

const minutes = (ms: number) => `${Math.ceil(ms / 60_000)}m`;

export const budgetFreeze: Guardrail = (_d, policy, _s, ctx) => {
  for (const f of policy.guardrails.freeze) {
    const left = ctx.budgets[f.slo];
    if (left === undefined && policy.guardrails.freezeWhenUnknown) return { guard: 'budget-freeze', reason: `SLO ${f.slo} has no budget figure for this period and the policy freezes when unknown` };
    if (left !== undefined && left < f.below) return { guard: 'budget-freeze', reason: `SLO ${f.slo} has ${(left * 100).toFixed(1)}% of this period's budget left, under the ${(f.below * 100).toFixed(1)}% freeze` };
  }
  return undefined;
};

export const circuitBreaker: Guardrail = (_d, policy, state, ctx) =>
  breakerOpen(state, policy.guardrails.circuitBreaker, ctx.now)
    ? { guard: 'circuit-breaker', reason: `${state.failureStreak} failed action(s) since the last success; open until ${new Date((state.lastFailureAt ?? 0) + policy.guardrails.circuitBreaker.resetAfterMs).toISOString()}` }
    : undefined;

export const cooldown: Guardrail = (draft, policy, state, ctx) => {
  const left = cooldownLeft(state, draft.target.key, policy.guardrails.cooldownMs, ctx.now);
  return left > 0 ? { guard: 'cooldown', reason: `${draft.target.key} was acted on less than ${minutes(policy.guardrails.cooldownMs)} ago (${minutes(left)} left)` } : undefined;
};

export const rateLimit: Guardrail = (_d, policy, state) =>
  rateLimited(state, policy.guardrails.maxPerHour) ? { guard: 'rate-limit', reason: `${state.actedLastHour} action(s) in the last hour (max ${policy.guardrails.maxPerHour})` } : undefined;

export const maxConcurrent: Guardrail = (_d, policy, state) =>
  atConcurrencyLimit(state, policy.guardrails.maxConcurrent) ? { guard: 'max-concurrent', reason: `${state.inFlight} action(s) in flight (max ${policy.guardrails.maxConcurrent})` } : undefined;

/** In the order they are checked: a frozen budget and an open breaker come before pacing. */
export const GUARDRAILS: readonly Guardrail[] = [budgetFreeze, circuitBreaker, cooldown, rateLimit, maxConcurrent];

function statusOf(policy: Policy, denial: Denial | undefined): Pick<ActionDecision, 'status' | 'deniedBy'> {
  if (denial) return { status: 'denied', deniedBy: denial.guard };
  if (policy.guardrails.dryRun) return { status: 'dry-run' };
  if (policy.guardrails.requireApproval) return { status: 'awaiting-approval' };
  return { status: 'proposed' };
}

/** Escalations annotate an alert and resumes undo mlwarden's own preemptions: neither is risky. */
const passive = (draft: Draft) => draft.kind === 'escalate' || draft.kind === 'resume';

/** Runs the guardrails over a draft (passive actions only honour dry-run). */
export function applyGuardrails(draft: Draft, policy: Policy, ctx: DecisionContext): ActionDecision {
  const { denial: ruled, ...rest } = draft;
  const state = guardrailState(ctx.history, policy.name, ctx.now, policy.guardrails.dryRun);
  const denial = passive(draft) ? undefined : (ruled ?? GUARDRAILS.map((g) => g(draft, policy, state, ctx)).find((d) => d !== undefined));
  const status = passive(draft) ? { status: policy.guardrails.dryRun ? ('dry-run' as const) : ('proposed' as const) } : statusOf(policy, denial);
  return { ...rest, ...status, reason: denial ? `${denial.reason}; would have: ${draft.reason}` : draft.reason, decidedAt: ctx.now };
}
