/** Retraining on drift or on an SLO alert: one run per episode/alert, the cause passed as parameters. */
import { actionObjectName, target, type Cause } from './action-decision.js';
import type { Draft } from './guardrails.js';
import type { RetrainAction } from './policy.js';
import type { DriftEpisodeSignal, SloAlertSignal } from './signals.js';

const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number) => Number(x.toFixed(3));

function driftCause(s: DriftEpisodeSignal): Cause {
  return {
    signal: 'drift_episode', model: s.model, version: s.version ?? null, features: s.features.join(','),
    episode_start: iso(s.episodeStart), episode_opened_at: iso(s.openedAt), peak_psi: s.peakPsi, drift_share: s.driftShare,
  };
}

function alertCause(s: SloAlertSignal): Cause {
  return { signal: 'slo_alert', slo: s.slo, severity: s.severity, model: s.model, version: s.rollout?.version ?? null, firing_since: iso(s.firingSince) };
}

/** The run's parameters: the target's own, then the cause (as strings), then the action id. */
function parametersOf(action: RetrainAction, cause: Cause, id: string): Record<string, string> {
  const fromCause = Object.fromEntries(Object.entries(cause).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
  return { ...action.target.parameters, ...fromCause, mlwarden_action_id: id };
}

export function retrainDraft(policy: string, action: RetrainAction, signal: DriftEpisodeSignal | SloAlertSignal): Draft {
  const drift = signal.kind === 'drift_episode';
  const id = drift ? `retrain:${signal.model}:${signal.episodeStart}` : `retrain:${signal.model}:${signal.slo}:${signal.firingSince}`;
  const cause = drift ? driftCause(signal) : alertCause(signal);
  const reason = drift
    ? `drift episode on ${signal.model} since ${iso(signal.episodeStart)} (share ${round(signal.driftShare)}, peak PSI ${round(signal.peakPsi)})`
    : `SLO ${signal.slo} ${signal.severity} alert firing since ${iso(signal.firingSince)}`;
  return {
    id, policy, kind: 'retrain', target: target('model', '', signal.model), reason, cause,
    plan: { kind: 'retrain', target: action.target, runName: actionObjectName(`retrain-${signal.model}`, id), parameters: parametersOf(action, cause, id) },
  };
}
