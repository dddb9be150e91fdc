/**
 * Rollback on an SLO alert, only when a recent rollout explains the burn. Rules users of Argo
 * Rollouts and Flagger keep asking for, each a named predicate:
 *   - no rollout within the lookback: escalate instead of acting;
 *   - the latest rollout is mlwarden's own rollback: escalate (no rollback loop);
 *   - one rollback per alert (the idempotency key), cooldown per serving object (guardrails).
 */
import { target, type Cause, type RollbackStrategy } from './action-decision.js';
import type { Draft } from './guardrails.js';
import type { RollbackAction } from './policy.js';
import type { RolloutInfo, SloAlertSignal } from './signals.js';

const iso = (ms: number) => new Date(ms).toISOString();

type Explanation = { explains: true; rollout: RolloutInfo } | { explains: false; why: string };

/** Does the latest rollout explain the burn? */
export function rolloutExplains(rollout: RolloutInfo | null, lookbackMs: number, now: number): Explanation {
  if (rollout === null) return { explains: false, why: 'no rollout of the model is known' };
  if (rollout.byAction !== undefined) return { explains: false, why: `the latest rollout (${rollout.version}) is mlwarden's own rollback ${rollout.byAction}; not rolling back again` };
  if (now - rollout.rolledOutAt > lookbackMs) return { explains: false, why: `the latest rollout (${rollout.version} at ${iso(rollout.rolledOutAt)}) is older than the ${lookbackMs / 60_000}m lookback` };
  return { explains: true, rollout };
}

export function rollbackStrategy(kind: RollbackAction['kind'], rollout: RolloutInfo): RollbackStrategy {
  if (kind === 'deployment') return 'previous-replicaset';
  return rollout.canary === true ? 'canary-to-zero' : 'previous-predictor-spec';
}

function causeOf(s: SloAlertSignal): Cause {
  return {
    signal: 'slo_alert', slo: s.slo, severity: s.severity, model: s.model, firing_since: iso(s.firingSince),
    version: s.rollout?.version ?? null, previous_version: s.rollout?.previousVersion ?? null,
    rolled_out_at: s.rollout ? iso(s.rollout.rolledOutAt) : null,
  };
}

/**
 * One answer per alert: rolling back and escalating share the idempotency key, so an alert that keeps
 * firing after mlwarden's own rollback (its rollout now "by action") is not escalated on top.
 */
export function rollbackDraft(policy: string, action: RollbackAction, s: SloAlertSignal, now: number): Draft {
  const id = `rollback:${s.slo}:${s.model}:${s.firingSince}`;
  const cause = causeOf(s);
  const explained = rolloutExplains(s.rollout, action.lookbackMs, now);
  if (!explained.explains) {
    const annotation = `mlwarden: SLO ${s.slo} is burning and ${explained.why}; escalating to a person instead of rolling back`;
    return { id, policy, kind: 'escalate', target: target('alert', s.serving.namespace, `${s.slo}/${s.model}`), reason: explained.why, cause, plan: { kind: 'escalate', annotation } };
  }
  const r = explained.rollout;
  const resource = action.kind === 'kserve' ? 'inferenceservice' : 'deployment';
  return {
    id, policy, kind: 'rollback', target: target(resource, s.serving.namespace, s.serving.name),
    reason: `SLO ${s.slo} ${s.severity} alert ${Math.round((now - r.rolledOutAt) / 60_000)}m after ${s.model} rolled out ${r.version}; back to ${r.previousVersion ?? 'the previously rolled-out spec'}`,
    cause, plan: { kind: 'rollback', resource: action.kind, strategy: rollbackStrategy(action.kind, r), fromVersion: r.version, toVersion: r.previousVersion ?? null },
  };
}
