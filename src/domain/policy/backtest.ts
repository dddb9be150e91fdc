/**
 * Backtest: replays stored signals through the policy decisions in dry run. At each instant every
 * policy is evaluated (evaluatePolicies, as the live engine does) against a simulated history: the
 * real history before the replay, then the replay's own decisions, each treated as done and
 * succeeded the moment it is decided (approval assumed granted; a dry-run policy keeps its dry-run
 * records, as live). Nothing is carried out or written: the result is a report.
 */
import { MlwardenError } from '../errors.js';
import type { ActionDecision, ActionKind, Cause, DecisionStatus, Guard } from './action-decision.js';
import { alertSignalOf, driftSignalAt, firingAt, type DriftReplayOptions, type FeatureWindow, type FiringInterval } from './backtest-signals.js';
import { recordOf } from './decision-record.js';
import { evaluatePolicies } from './evaluate.js';
import type { ActionRecord } from './guardrail-state.js';
import type { Policy } from './policy.js';
import type { Signal } from './signals.js';

export interface BacktestRow {
  at: number;
  policy: string;
  /** The idempotency key; null for a skip. */
  id: string | null;
  kind: ActionKind | null;
  /** ActionTarget.key; null for a skip. */
  target: string | null;
  outcome: 'would-act' | 'denied' | 'skipped';
  /** For 'would-act': proposed, dry-run (the policy itself is in dry run) or awaiting-approval. */
  status?: DecisionStatus;
  deniedBy?: Guard;
  reason: string;
  cause: Cause;
  /** A rollback policy's decision made without rollout info (the store keeps none): it would roll back if a rollout explained the alert, else escalate. */
  rolloutUnknown?: true;
}

export interface BacktestReport {
  from: number;
  to: number;
  stepMs: number;
  /** Instants evaluated. */
  instants: number;
  rows: BacktestRow[];
  /** What the replay could not know and assumed instead, as sentences. */
  assumptions: string[];
}

/**
 * Signals at an instant, each with the policies the live engine evaluates it against (together).
 * A source whose world the replay's own actions change (GPU preemption suspends jobs) is told the
 * decisions its signals led to, after each instant.
 */
export type SignalSource = ((now: number, policies: readonly Policy[]) => Array<{ signal: Signal; policies: readonly Policy[]; key: string }>) & {
  decided?: (decisions: readonly ActionDecision[], now: number) => void;
};

export interface BacktestInput {
  policies: readonly Policy[];
  from: number;
  to: number;
  /** Evaluate every stepMs besides each signal change (default 1 minute: cooldowns expire between changes). */
  stepMs?: number;
  sources: readonly SignalSource[];
  /** Instants where a signal changes, besides the steps. */
  changes: readonly number[];
  /** The real action history before `from` (circuit breakers, cooldowns carried in). */
  history?: readonly ActionRecord[];
  /** Calendar budget per SLO at an instant; undefined figures are unknown (as live, before any events). */
  budgets?: (now: number) => Readonly<Record<string, number | undefined>>;
  assumptions?: readonly string[];
}

export const DEFAULT_STEP_MS = 60_000;

const SIMULATED_HISTORY = 'decisions made during the replay are treated as done and succeeded the moment they are decided (approval granted, no failures), so max_concurrent never holds and a circuit breaker opens only on failures from the real history before the replay';

/** Drift episodes per model, for every drift_episode policy at once (as live: one episode, one action). */
export function driftSource(windows: readonly FeatureWindow[], options: DriftReplayOptions): SignalSource {
  const models = [...new Set(windows.map((w) => w.model))].sort();
  return (now, policies) => {
    const drift = policies.filter((p) => p.trigger.type === 'drift_episode');
    if (drift.length === 0) return [];
    return models.flatMap((m) => {
      const signal = driftSignalAt(m, windows, now, options);
      return signal ? [{ signal, policies: drift, key: `drift:${m}:${signal.episodeStart}` }] : [];
    });
  };
}

/** Firing alerts, each against each policy on its SLO alone (as live); `modelOf` names the alert's model. */
export function alertSource(intervals: readonly FiringInterval[], modelOf: (i: FiringInterval) => string): SignalSource {
  return (now, policies) =>
    intervals.filter((i) => firingAt(i, now)).flatMap((i) =>
      policies.filter((p) => p.trigger.type === 'slo_alert' && p.trigger.slo === i.slo).map((p) => {
        const model = modelOf(i);
        const serving = p.action.type === 'rollback' ? p.action.serving : { namespace: '', name: model };
        return { signal: alertSignalOf(i, model, serving), policies: [p], key: `alert:${i.slo}:${model}:${i.firingSince}` };
      }),
    );
}

function instantsOf(input: BacktestInput, stepMs: number): number[] {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) throw new MlwardenError('invalid', `backtest step must be a positive number of milliseconds, got ${stepMs}`);
  if (!(input.from <= input.to)) throw new MlwardenError('invalid', `backtest range is empty: from ${new Date(input.from).toISOString()} is after to ${new Date(input.to).toISOString()}`);
  const set = new Set<number>(input.changes.filter((t) => t >= input.from && t <= input.to));
  for (let t = input.from; t <= input.to; t += stepMs) set.add(t);
  return [...set].sort((a, b) => a - b);
}

/** The decision as the simulated history keeps it: done at once, except a dry-run policy's preview. */
function simulated(decision: ActionDecision): ActionRecord {
  const record = recordOf(decision);
  return record.status === 'dry-run' ? record : { ...record, status: 'done', outcome: 'succeeded', finishedAt: decision.decidedAt };
}

function rowOf(d: ActionDecision, policies: readonly Policy[]): BacktestRow {
  const rollback = policies.find((p) => p.name === d.policy)?.action.type === 'rollback';
  return {
    at: d.decidedAt, policy: d.policy, id: d.id, kind: d.kind, target: d.target.key,
    outcome: d.status === 'denied' ? 'denied' : 'would-act', ...(d.status === 'denied' ? { deniedBy: d.deniedBy as Guard } : { status: d.status }),
    reason: d.reason, cause: d.cause, ...(rollback && d.kind === 'escalate' ? { rolloutUnknown: true as const } : {}),
  };
}

const ALREADY = /^action .* was already decided/;

/** Replays the signals over [from, to]. Rows are written when a decision is new or changes (a repeated denial once, as the live audit trail does). */
export function replayPolicies(input: BacktestInput): BacktestReport {
  const stepMs = input.stepMs ?? DEFAULT_STEP_MS;
  const history: ActionRecord[] = [...(input.history ?? [])];
  const rows: BacktestRow[] = [];
  const lastRow = new Map<string, BacktestRow>();
  const skips = new Set<string>();

  /** One signal at `now`: its rows, the simulated history; returns the decisions that were not denied. */
  const replay = (now: number, budgets: Readonly<Record<string, number | undefined>>, { signal, policies, key }: ReturnType<SignalSource>[number]): ActionDecision[] => {
    const acted: ActionDecision[] = [];
    for (const outcome of evaluatePolicies(policies, signal, { now, history, budgets })) {
      if ('skipped' in outcome) {
        const seen = `${outcome.skipped.policy}\u0000${key}\u0000${outcome.skipped.reason}`;
        if (ALREADY.test(outcome.skipped.reason) || skips.has(seen)) continue;
        skips.add(seen);
        rows.push({ at: now, policy: outcome.skipped.policy, id: null, kind: null, target: null, outcome: 'skipped', reason: outcome.skipped.reason, cause: { signal: key } });
        continue;
      }
      const d = outcome.decision;
      if (d.status !== 'denied') {
        history.push(simulated(d));
        acted.push(d);
      }
      const prior = lastRow.get(d.id);
      if (prior !== undefined && prior.outcome === 'denied' && d.status === 'denied' && prior.deniedBy === d.deniedBy) continue;
      const row = rowOf(d, input.policies);
      lastRow.set(d.id, row);
      rows.push(row);
    }
    return acted;
  };

  const instants = instantsOf(input, stepMs);
  for (const now of instants) {
    const budgets = input.budgets?.(now) ?? {};
    for (const source of input.sources) {
      const acted = source(now, input.policies).flatMap((emitted) => replay(now, budgets, emitted));
      source.decided?.(acted, now);
    }
  }
  return { from: input.from, to: input.to, stepMs, instants: instants.length, rows, assumptions: [SIMULATED_HISTORY, ...(input.assumptions ?? [])] };
}

/** The rows that would have acted, one per idempotency key. */
export const wouldAct = (report: BacktestReport): BacktestRow[] => report.rows.filter((r) => r.outcome === 'would-act');
