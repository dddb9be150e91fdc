/**
 * The backtest's I/O: reads the stored signal history and the real action history before the
 * replay, runs the pure replay (domain/policy/backtest.ts) and returns its report. Dry run: it
 * reads only, and writes nothing anywhere.
 */
import {
  alertSource, driftSource, firingIntervals, KUEUE_QUEUE_LABEL, gpuRuns, gpuSource, replayPolicies, runChangeTimes,
  type BacktestReport, type DriftReplayOptions, type FeatureWindow, type FiringInterval, type LivePreemption, type Policy, type RunChange, type SignalSource, type WorkloadKind,
} from '../domain/policy/index.js';
import { ActionLog, actionRecordOf, alertChangesBetween, gpuUtilizationByJob, runChangesBetween, scoredWindowsBetween, type ActionEntry, type AlertChangeRow, type RunChangeRow, type StoreClient } from '../store/index.js';
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
  /**
   * GPUs in the pool (the store does not record it). When given, GPU contention and idleness are
   * replayed from the stored run state changes and GPU utilisation; else they are not replayed.
   */
  gpuCapacity?: number;
}

const DAY_MS = 86_400_000;

const ASSUMPTIONS = [
  'SLO alerts replay as data "ok": the alert engine does not fire on insufficient traffic',
  'the store keeps no rollouts: a rollback policy reports "would roll back if a rollout explained it / would escalate" under the rollback idempotency key',
];

const NO_GPU = 'GPU contention and idleness are not replayed: the store does not record the pool capacity, node placement, Kueue ownership or checkpoints';

const GPU_ASSUMPTIONS = (capacity: number) => [
  `GPU jobs are rebuilt from the stored run state changes in a pool of ${capacity} GPU(s) (as given, without node placement): a job is pending from its creation, running from its start, suspended from the live preemption that named it (else from its row's time)`,
  'the store keeps no checkpoints: work lost counts from a job\'s start, so victims tied on priority and utilisation may rank differently than live',
  'resumes are not replayed: a job suspended (by the replay or live) stays suspended until its run ends, and a pending job\'s wait counts from its creation, not from its last resume',
  'a preemption decided in the replay suspends its victims and runs the job it was for from the next instant (no checkpoint wait, no scheduling delay)',
];

const windowOf = (r: Awaited<ReturnType<typeof scoredWindowsBetween>>[number]): FeatureWindow => ({
  model: r.model, feature: r.feature, start: r.window_start, end: r.window_end, status: r.status, psi: r.status === 'insufficient' ? null : r.psi,
});

const changeOf = (r: AlertChangeRow) => ({ ts: r.ts, slo: r.slo, severity: r.severity, dedupeKey: r.dedupe_key, groupLabels: r.group_labels, state: r.state, since: r.since, firingSince: r.firing_since });

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Job', 'PyTorchJob', 'TFJob']);

/** A `runs` row of a GPU workload (the run collector labels each with the object's name and kind). */
function runChangeOf(r: RunChangeRow): RunChange[] {
  const source = r.labels.source ?? '';
  if (source !== '' && !WORKLOAD_KINDS.has(source)) return [];
  return [{
    ts: r.ts, runId: r.run_id, namespace: r.namespace, name: r.labels.name ?? r.run_id, kind: (source || 'Job') as WorkloadKind, state: r.state, attempt: r.attempt,
    priority: r.priority, gpus: r.gpus, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, kueueManaged: r.labels[KUEUE_QUEUE_LABEL] !== undefined,
  }];
}

function livePreemptionOf(e: ActionEntry): LivePreemption[] {
  if (e.kind !== 'preempt') return [];
  const pending = e.cause.pending_job;
  return [{ id: e.id, status: e.status, createdAt: e.created_at, ...(e.finished_at !== null ? { finishedAt: e.finished_at } : {}), victims: e.victims, ...(typeof pending === 'string' ? { pending } : {}) }];
}

async function gpuInputs(o: BacktestOptions, since: number, entries: readonly ActionEntry[]): Promise<{ source: SignalSource; changes: number[] } | undefined> {
  if (o.gpuCapacity === undefined) return undefined;
  const [rows, minutes] = await Promise.all([runChangesBetween(o.store.client, o.database, since, o.to), gpuUtilizationByJob(o.store.client, o.database, o.from - 2 * 3_600_000 - 60_000, o.to)]);
  const runs = rows.flatMap(runChangeOf);
  const live = entries.flatMap(livePreemptionOf);
  return {
    source: gpuSource({ capacity: o.gpuCapacity, runs, minutes, live }),
    changes: runChangeTimes(gpuRuns(runs, live)),
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
  const history = entries.filter((e) => e.created_at < o.from).map(actionRecordOf);
  const gpu = await gpuInputs(o, since, entries);
  const windows = scored.map(windowOf);
  const intervals = firingIntervals(changes.map(changeOf));
  const modelOf = (i: FiringInterval) => i.groupLabels.model ?? o.sloModels?.[i.slo] ?? i.slo;
  return replayPolicies({
    policies: o.policies, from: o.from, to: o.to,
    ...(o.stepMs !== undefined ? { stepMs: o.stepMs } : {}),
    sources: [driftSource(windows, drift), alertSource(intervals, modelOf), ...(gpu ? [gpu.source] : [])],
    changes: [...windows.map((w) => w.end), ...intervals.flatMap((i) => (i.until === null ? [i.from] : [i.from, i.until])), ...(gpu?.changes ?? [])],
    history,
    ...(o.budgets ? { budgets: o.budgets } : {}),
    assumptions: [...ASSUMPTIONS, ...(o.gpuCapacity === undefined ? [NO_GPU] : GPU_ASSUMPTIONS(o.gpuCapacity)), ...budgetNote(o)],
  });
}
