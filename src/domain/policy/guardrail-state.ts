/**
 * What the action history says at `now`, for the guardrails: a pure fold over the records the
 * orchestration layer keeps (the `actions` table), nothing else. A policy's own records only.
 */
import type { ActionKind } from './action-decision.js';

export type RecordStatus = 'proposed' | 'dry-run' | 'awaiting-approval' | 'denied' | 'rejected' | 'running' | 'done' | 'failed';

export interface ActionRecord {
  id: string;
  policy: string;
  kind: ActionKind;
  /** ActionTarget.key */
  target: string;
  status: RecordStatus;
  createdAt: number;
  /** When the action finished, and how. */
  finishedAt?: number;
  outcome?: 'succeeded' | 'failed';
  /** For preemptions: the job keys suspended. */
  victims?: string[];
}

/** Statuses of actions that were (or are about to be) carried out. */
const ACTED: ReadonlySet<RecordStatus> = new Set(['proposed', 'running', 'done', 'failed']);
/** Statuses of actions still in flight. */
const IN_FLIGHT: ReadonlySet<RecordStatus> = new Set(['proposed', 'awaiting-approval', 'running']);
const HOUR_MS = 3_600_000;

export interface GuardrailState {
  /** When the last acted action on each target started. */
  lastActedAt: ReadonlyMap<string, number>;
  /** Start times of acted actions in the last hour. */
  actedLastHour: number;
  inFlight: number;
  /** Failures since the last success, and when the latest of them happened. */
  failureStreak: number;
  lastFailureAt: number | null;
  /** Records of every policy by id, for idempotency (one action per episode, whichever policy). */
  byId: ReadonlyMap<string, ActionRecord>;
  /** Acted preemptions per victim job, with their times. */
  preemptionsOf: ReadonlyMap<string, readonly number[]>;
}

const failed = (r: ActionRecord) => r.outcome === 'failed' || r.status === 'failed';
const succeeded = (r: ActionRecord) => r.outcome === 'succeeded' || (r.status === 'done' && r.outcome === undefined);

function streak(records: readonly ActionRecord[]): { failureStreak: number; lastFailureAt: number | null } {
  let failureStreak = 0;
  let lastFailureAt: number | null = null;
  for (const r of [...records].sort((a, b) => (a.finishedAt ?? a.createdAt) - (b.finishedAt ?? b.createdAt))) {
    if (succeeded(r)) failureStreak = 0;
    if (failed(r)) {
      failureStreak += 1;
      lastFailureAt = r.finishedAt ?? r.createdAt;
    }
  }
  return { failureStreak, lastFailureAt: failureStreak > 0 ? lastFailureAt : null };
}

/** When each job was preempted (acted preemptions of every policy up to `now`), by job key. */
export function preemptionTimes(history: readonly ActionRecord[], now: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of history) {
    if (r.createdAt > now) continue;
    if (r.kind !== 'preempt' || !ACTED.has(r.status)) continue;
    for (const v of r.victims ?? []) out.set(v, [...(out.get(v) ?? []), r.createdAt]);
  }
  return out;
}

/**
 * Folds one policy's history as seen at `now`. With `countDryRuns` (a policy in dry-run mode),
 * dry-run records count as acted, so a dry run previews the cadence the policy would really have.
 */
export function guardrailState(history: readonly ActionRecord[], policy: string, now: number, countDryRuns = false): GuardrailState {
  // Escalations and resumes are passive: they never count against a policy's action budget.
  const own = history.filter((r) => r.policy === policy && r.createdAt <= now && r.kind !== 'escalate' && r.kind !== 'resume');
  const acted = own.filter((r) => ACTED.has(r.status) || (countDryRuns && r.status === 'dry-run'));
  const lastActedAt = new Map<string, number>();
  for (const r of acted) lastActedAt.set(r.target, Math.max(lastActedAt.get(r.target) ?? -Infinity, r.createdAt));
  return {
    lastActedAt,
    actedLastHour: acted.filter((r) => now - r.createdAt < HOUR_MS).length,
    inFlight: own.filter((r) => IN_FLIGHT.has(r.status)).length,
    ...streak(own.filter((r) => ACTED.has(r.status))),
    byId: new Map(history.map((r) => [r.id, r])),
    preemptionsOf: preemptionTimes(history, now),
  };
}

/** Milliseconds of cooldown left on a target (0 when none). */
export function cooldownLeft(state: GuardrailState, targetKey: string, cooldownMs: number, now: number): number {
  const last = state.lastActedAt.get(targetKey);
  return last === undefined ? 0 : Math.max(0, last + cooldownMs - now);
}

export const rateLimited = (state: GuardrailState, maxPerHour: number): boolean => state.actedLastHour >= maxPerHour;

export const atConcurrencyLimit = (state: GuardrailState, maxConcurrent: number): boolean => state.inFlight >= maxConcurrent;

/** Open while `failures` or more actions failed since the last success and the latest failure is younger than `resetAfterMs`. */
export function breakerOpen(state: GuardrailState, breaker: { failures: number; resetAfterMs: number }, now: number): boolean {
  return state.failureStreak >= breaker.failures && state.lastFailureAt !== null && now - state.lastFailureAt < breaker.resetAfterMs;
}

/** Acted preemptions of a job within the window ending at `now`. */
export function preemptionCount(times: ReadonlyMap<string, readonly number[]>, jobKey: string, windowMs: number, now: number): number {
  return (times.get(jobKey) ?? []).filter((t) => now - t < windowMs).length;
}

/** An earlier decision with this id that settles it: anything but a denial (a denied action may be retried). */
export function alreadyDecided(state: GuardrailState, id: string): ActionRecord | undefined {
  const r = state.byId.get(id);
  return r !== undefined && r.status !== 'denied' ? r : undefined;
}
