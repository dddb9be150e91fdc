/**
 * What the analysis loops tell the policy engine, as its signals: a model's open drift episode,
 * the SLO budgets a freeze reads, and how an SLO is doing after a rollback.
 */
import type { DriftEpisodeSignal, RecoveryObservation } from '../domain/policy/index.js';
import type { ModelDrift } from './drift-evaluator.js';
import type { SloEvaluation } from './slo-evaluator.js';

/**
 * One signal per model with open feature episodes. The model's episode starts with its earliest
 * open feature episode, so the signal (and its idempotency key) stays the same while it lasts.
 */
export function driftEpisodeSignal(drift: ModelDrift): DriftEpisodeSignal | undefined {
  const open = drift.openEpisodes;
  if (open.length === 0) return undefined;
  return {
    kind: 'drift_episode',
    model: drift.model,
    episodeStart: Math.min(...open.map((e) => e.start)),
    openedAt: Math.min(...open.map((e) => e.openedAt)),
    driftShare: drift.share.share ?? 0,
    peakPsi: Math.max(...open.map((e) => e.peakPsi)),
    features: [...new Set(open.map((e) => e.feature))].sort(),
  };
}

/** Budget remaining for each SLO's current calendar period (undefined while it has no events). */
export function calendarBudgets(evaluations: Iterable<SloEvaluation>): Record<string, number | undefined> {
  return Object.fromEntries([...evaluations].map((e) => [e.slo.name, e.overall.calendarBudget.remainingFraction]));
}

/** The shortest window's burn rate (the page tier's short window) and whether an alert still fires. */
export function sloRecoveryOf(evaluation: SloEvaluation | undefined, alertFiring: boolean): RecoveryObservation {
  if (evaluation === undefined) return { burnRate: undefined, alertFiring };
  const burns = evaluation.overall.tiers.flatMap((t) => (t.shortBurn === undefined ? [] : [{ window: t.tier.shortWindowMs, burn: t.shortBurn }]));
  return { burnRate: burns.sort((a, b) => a.window - b.window)[0]?.burn, alertFiring };
}
