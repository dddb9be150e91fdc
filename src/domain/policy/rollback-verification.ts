/**
 * After a rollback: did the burn recover? The orchestration layer asks this until it has an answer
 * and records the outcome (a 'not-recovered' rollback is a failed action for the circuit breaker).
 * No data after the rollback is not a failure: it waits, and gives up as 'unknown' at the deadline.
 */
export interface RecoveryObservation {
  /** Burn rate over the short window since the rollback; undefined when there were too few events. */
  burnRate: number | undefined;
  /** Whether the SLO's alert still fires. */
  alertFiring: boolean;
}

export interface RecoveryRules {
  /** How long to give the rollback before judging it. */
  settleMs: number;
  /** Give up (no verdict from data) after this long. */
  deadlineMs: number;
  /** The burn must fall to this rate or under (1 = spending budget exactly as fast as allowed). */
  maxBurnRate: number;
}

export type RecoveryVerdict = 'waiting' | 'recovered' | 'not-recovered' | 'unknown';

export function rollbackRecovery(actedAt: number, now: number, seen: RecoveryObservation, rules: RecoveryRules): RecoveryVerdict {
  const elapsed = now - actedAt;
  if (elapsed < rules.settleMs) return 'waiting';
  if (seen.burnRate === undefined) return elapsed >= rules.deadlineMs ? 'unknown' : 'waiting';
  if (!seen.alertFiring && seen.burnRate <= rules.maxBurnRate) return 'recovered';
  return elapsed >= rules.deadlineMs ? 'not-recovered' : 'waiting';
}
