/**
 * The backtest's I/O: reads the stored signal history and the real action history before the
 * replay, runs the pure replay (domain/policy/backtest.ts) and returns its report. Dry run: it
 * reads only, and writes nothing anywhere.
 */
import {
  alertSource, driftSource, firingIntervals, replayPolicies,
  type ActionKind, type ActionRecord, type BacktestReport, type DriftReplayOptions, type FeatureWindow, type FiringInterval, type Policy, type RecordStatus,
} from '../domain/policy/index.js';
import { ActionLog, alertChangesBetween, scoredWindowsBetween, type ActionEntry, type AlertChangeRow, type StoreClient } from '../store/index.js';
import { DEFAULT_DRIFT_SETTINGS } from './drift-evaluator.js';

export interface BacktestOptions {
  store: Pick<StoreClient, 'client'>;
  database: string;
  policies: readonly Policy[];
  from: number;
  to: number;
  stepMs?: number;
  /** The drift loop's settings (default: DEFAULT_DRIFT_SETTINGS: 1h windows, 24 of them, 3 to open). */
  drift?: Partial<DriftReplayOptions>;
  /** The model of each SLO's alerts when their group labels carry none (else the SLO's name). */
  sloModels?: Readonly<Record<string, string>>;
  /** Calendar budget per SLO at an instant; the store keeps no budget figures, so unknown by default. */
  budgets?: (now: number) => Readonly<Record<string, number | undefined>>;
  /** How far before `from` the action history and alert changes are read (default 30 days, the engine's). */
  historyMs?: number;
}

const DAY_MS = 86_400_000;

const ASSUMPTIONS = [
  'SLO alerts replay as data "ok": the alert engine does not fire on insufficient traffic',
  'the store keeps no rollouts: a rollback policy reports "would roll back if a rollout explained it / would escalate" under the rollback idempotency key',
  'GPU contention and idleness are not replayed: the store does not record the pool capacity, node placement, Kueue ownership or checkpoints',
];

const windowOf = (r: Awaited<ReturnType<typeof scoredWindowsBetween>>[number]): FeatureWindow => ({
  model: r.model, feature: r.feature, start: r.window_start, end: r.window_end, status: r.status, psi: r.status === 'insufficient' ? null : r.psi,
});

const changeOf = (r: AlertChangeRow) => ({ ts: r.ts, slo: r.slo, severity: r.severity, dedupeKey: r.dedupe_key, groupLabels: r.group_labels, state: r.state, since: r.since, firingSince: r.firing_since });

/** An `actions` row as the guardrails read it (the engine's own conversion, for the history before the replay). */
function recordOf(e: ActionEntry): ActionRecord {
  return {
    id: e.id, policy: e.policy, kind: e.kind as ActionKind, target: e.target, status: e.status as RecordStatus, createdAt: e.created_at,
    ...(e.finished_at !== null ? { finishedAt: e.finished_at } : {}), ...(e.outcome !== '' ? { outcome: e.outcome } : {}), ...(e.victims.length > 0 ? { victims: e.victims } : {}),
  };
}

function budgetNote(o: BacktestOptions): string[] {
  const freezes = o.policies.some((p) => p.guardrails.freeze.length > 0);
  return freezes && o.budgets === undefined ? ['calendar budgets are unknown (the store keeps no budget figures): freezes act as configured for unknown budgets'] : [];
}

export async function runBacktest(o: BacktestOptions): Promise<BacktestReport> {
  const drift: DriftReplayOptions = { windowMs: DEFAULT_DRIFT_SETTINGS.windowMs, lookbackWindows: DEFAULT_DRIFT_SETTINGS.lookbackWindows, episodes: DEFAULT_DRIFT_SETTINGS.episodes, ...o.drift };
  const since = o.from - (o.historyMs ?? 30 * DAY_MS);
  const [scored, changes, entries] = await Promise.all([
    scoredWindowsBetween(o.store.client, o.database, o.from - (drift.lookbackWindows + 1) * drift.windowMs, o.to),
    alertChangesBetween(o.store.client, o.database, since, o.to),
    new ActionLog(o.store.client, o.database).list({ since }),
  ]);
  const windows = scored.map(windowOf);
  const intervals = firingIntervals(changes.map(changeOf));
  const modelOf = (i: FiringInterval) => i.groupLabels.model ?? o.sloModels?.[i.slo] ?? i.slo;
  return replayPolicies({
    policies: o.policies, from: o.from, to: o.to,
    ...(o.stepMs !== undefined ? { stepMs: o.stepMs } : {}),
    sources: [driftSource(windows, drift), alertSource(intervals, modelOf)],
    changes: [...windows.map((w) => w.end), ...intervals.flatMap((i) => (i.until === null ? [i.from] : [i.from, i.until]))],
    history: entries.filter((e) => e.created_at < o.from).map(recordOf),
    ...(o.budgets ? { budgets: o.budgets } : {}),
    assumptions: [...ASSUMPTIONS, ...budgetNote(o)],
  });
}
