/**
 * GPU contention and idleness for a backtest: the GPU jobs at each instant rebuilt from stored run
 * state changes (one row per state change per attempt, as the run collector writes them), their
 * per-minute utilisation and a given pool capacity, turned into the signals the live engine builds
 * (orchestration/gpu-signals.ts) with the same idempotency keys.
 *
 * The replay's own preemptions change the cluster it replays: the replay tells the source the
 * decisions its signals led to (SignalSource.decided), and from the next instant their victims count
 * as suspended by mlwarden and the job they were for as running.
 */
import type { ActionDecision } from './action-decision.js';
import type { SignalSource } from './backtest.js';
import type { UtilizationMinute } from './gpu-idleness.js';
import { gpuPoolSignals, idleSignal, type PoolWorkload } from './gpu-pool-signals.js';
import type { Policy } from './policy.js';
import { jobKey, type WorkloadKind } from './signals.js';

/** One stored run state change (a `runs` row of a GPU workload). */
export interface RunChange {
  ts: number;
  runId: string;
  namespace: string;
  /** The workload's name (the run collector's `name` label). */
  name: string;
  kind: WorkloadKind;
  state: string;
  attempt: number;
  priority: number;
  gpus: number;
  createdAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  kueueManaged: boolean;
}

/** Per-minute utilisation of a job, as gpu_samples aggregates it. */
export interface JobMinute extends UtilizationMinute {
  namespace: string;
  job: string;
}

/** A preempt action the live engine recorded (an `actions` row), for who suspended what and what is in flight. */
export interface LivePreemption {
  id: string;
  status: string;
  createdAt: number;
  finishedAt?: number;
  /** Job keys (job/ns/name). */
  victims: readonly string[];
  /** The pending job it frees GPUs for (job key), when any. */
  pending?: string;
}

export interface GpuReplayInput {
  capacity: number;
  runs: readonly RunChange[];
  minutes: readonly JobMinute[];
  /** The live preempt actions, whatever their time. */
  live: readonly LivePreemption[];
}

type Phase = 'pending' | 'running' | 'suspended' | 'finished';

interface Transition {
  at: number;
  phase: Phase;
  startedAt?: number;
  suspendedBy?: string;
}

interface Run {
  runId: string;
  kind: WorkloadKind;
  namespace: string;
  name: string;
  priority: number;
  gpus: number;
  createdAt: number;
  kueueManaged: boolean;
  transitions: Transition[];
}

type Workload = PoolWorkload & { runId: string; phase: Exclude<Phase, 'finished'> };

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'skipped']);
const RANK: Record<Phase, number> = { pending: 0, running: 1, suspended: 2, finished: 3 };
const IN_FLIGHT = new Set(['proposed', 'running', 'awaiting-approval']);
const ACTED = new Set(['proposed', 'running', 'awaiting-approval', 'done', 'failed']);
/** The live engine reads two hours of utilisation minutes. */
const UTILIZATION_LOOKBACK_MS = 2 * 3_600_000;

/**
 * A suspended row carries no time of its own (its ts is the start): the suspension is dated by the
 * live preemption that named the job, else by the row's ts.
 */
function suspension(row: RunChange, live: readonly LivePreemption[]): { at: number; by?: string } {
  const key = jobKey(row);
  const after = row.startedAt ?? row.createdAt ?? row.ts;
  const by = live.filter((a) => ACTED.has(a.status) && a.victims.includes(key) && (a.finishedAt ?? a.createdAt) >= after).sort((a, b) => a.createdAt - b.createdAt)[0];
  return by === undefined ? { at: row.ts } : { at: by.finishedAt ?? by.createdAt, by: by.id };
}

function transitionOf(row: RunChange, live: readonly LivePreemption[]): Transition {
  if (TERMINAL.has(row.state)) return { at: row.finishedAt ?? row.ts, phase: 'finished' };
  if (row.state === 'running') return { at: row.startedAt ?? row.ts, phase: 'running', startedAt: row.startedAt ?? row.ts };
  if (row.state === 'suspended' || row.state === 'paused') {
    const s = suspension(row, live);
    return { at: s.at, phase: 'suspended', ...(s.by !== undefined ? { suspendedBy: s.by } : {}) };
  }
  return { at: row.createdAt ?? row.ts, phase: 'pending' };
}

/** Runs of GPU workloads with their transitions in time order (ties: pending, running, suspended, finished). */
export function gpuRuns(rows: readonly RunChange[], live: readonly LivePreemption[]): Map<string, Run> {
  const runs = new Map<string, Run>();
  for (const row of [...rows].sort((a, b) => a.ts - b.ts || a.attempt - b.attempt)) {
    if (row.gpus <= 0) continue;
    const created = row.createdAt ?? row.ts;
    const run = runs.get(row.runId) ?? {
      runId: row.runId, kind: row.kind, namespace: row.namespace, name: row.name, priority: row.priority, gpus: row.gpus, createdAt: created, kueueManaged: row.kueueManaged, transitions: [],
    };
    // The Job's creation is the first attempt's: later attempts are created by their pods.
    run.createdAt = Math.min(run.createdAt, created);
    run.transitions.push(transitionOf(row, live));
    runs.set(row.runId, run);
  }
  for (const run of runs.values()) run.transitions.sort((a, b) => a.at - b.at || RANK[a.phase] - RANK[b.phase]);
  return runs;
}

/** The instants the stored runs change state (for the replay's `changes`). */
export const runChangeTimes = (runs: ReadonlyMap<string, Run>): number[] => [...runs.values()].flatMap((r) => [r.createdAt, ...r.transitions.map((t) => t.at)]);

interface Effects {
  /** Run id → the replay's preemption that suspended it. */
  suspended: Map<string, { by: string; at: number }>;
  /** Run id → when a replay preemption freed GPUs for it (it runs from then on). */
  served: Map<string, number>;
}

function workloadAt(run: Run, now: number, effects: Effects): Workload | undefined {
  if (run.createdAt > now) return undefined;
  const current = run.transitions.filter((t) => t.at <= now).at(-1);
  const phase = current?.phase ?? 'pending';
  if (phase === 'finished') return undefined;
  const base = { runId: run.runId, kind: run.kind, namespace: run.namespace, name: run.name, gpus: run.gpus, priority: run.priority, pendingSince: run.createdAt, kueueManaged: run.kueueManaged };
  const byReplay = effects.suspended.get(run.runId);
  if (byReplay !== undefined && byReplay.at < now) return { ...base, phase: 'suspended', suspendedBy: byReplay.by, suspendedAt: byReplay.at };
  const served = effects.served.get(run.runId);
  if (phase === 'pending' && served !== undefined && served < now) return { ...base, phase: 'running', startedAt: served };
  if (phase === 'running') return { ...base, phase, ...(current?.startedAt !== undefined ? { startedAt: current.startedAt } : {}) };
  if (phase === 'suspended') return { ...base, phase, ...(current?.suspendedBy !== undefined ? { suspendedBy: current.suspendedBy, suspendedAt: current.at } : {}) };
  return { ...base, phase };
}

/** Live preemptions in flight at `now` (decided, not finished): their victims are leaving, their pending job is promised. */
function inFlightAt(live: readonly LivePreemption[], now: number): { victims: Set<string>; servedPending: Set<string> } {
  const victims = new Set<string>();
  const servedPending = new Set<string>();
  for (const a of live) {
    if (a.createdAt > now) continue;
    const flying = a.finishedAt !== undefined ? a.finishedAt > now && a.status !== 'denied' && a.status !== 'dry-run' : IN_FLIGHT.has(a.status);
    if (!flying) continue;
    for (const v of a.victims) victims.add(v);
    if (a.pending !== undefined) servedPending.add(a.pending);
  }
  return { victims, servedPending };
}

type Emitted = ReturnType<SignalSource>[number];

/**
 * The GPU signals at `now` (gpuPoolSignals, as the live engine builds them), for the policies whose
 * trigger can fire: the others would only skip, once per instant ("pending for 60s, ...").
 */
function signalsAt(workloads: readonly Workload[], input: GpuReplayInput, minutesOf: (w: PoolWorkload) => UtilizationMinute[], now: number, policies: readonly Policy[]): Emitted[] {
  const gpu = gpuPoolSignals({ capacity: input.capacity, workloads }, inFlightAt(input.live, now), minutesOf, now);
  const out: Emitted[] = [];
  const next = gpu.contention?.pending;
  const pendingPolicies = next === undefined ? [] : policies.filter((p) => p.trigger.type === 'gpu_pending' && now - next.pendingSince >= p.trigger.pendingForMs);
  if (gpu.contention !== undefined && next !== undefined && pendingPolicies.length > 0) out.push({ signal: gpu.contention, policies: pendingPolicies, key: `gpu:contention:${jobKey(next)}:${next.pendingSince}` });
  for (const p of policies) {
    if (p.trigger.type !== 'gpu_idle') continue;
    for (const running of gpu.running) {
      const signal = idleSignal(running, p.trigger.maxUtilization, gpu.namespaceCounts(running.job.namespace));
      if (signal === undefined || now - signal.idleSince < p.trigger.forMs) continue;
      out.push({ signal, policies: [p], key: `gpu:idle:${p.name}:${jobKey(running.job)}:${signal.idleSince}` });
    }
  }
  return out;
}

/**
 * A SignalSource of gpu_contention (for gpu_pending policies) and gpu_idle (per gpu_idle policy)
 * signals. Call it at increasing instants, once each, as replayPolicies does.
 */
export function gpuSource(input: GpuReplayInput): SignalSource {
  const runs = [...gpuRuns(input.runs, input.live).values()];
  const byJob = new Map<string, UtilizationMinute[]>();
  for (const m of input.minutes) byJob.set(`${m.namespace}/${m.job}`, [...(byJob.get(`${m.namespace}/${m.job}`) ?? []), { minute: m.minute, utilization: m.utilization }]);
  const effects: Effects = { suspended: new Map(), served: new Map() };
  let runOf = new Map<string, string>();
  const signals = (now: number, policies: readonly Policy[]): Emitted[] => {
    const workloads = runs.map((r) => workloadAt(r, now, effects)).filter((w): w is Workload => w !== undefined);
    runOf = new Map(workloads.map((w) => [jobKey(w), w.runId]));
    // What the live engine's query sees at `now`: minutes of the last two hours, up to now.
    const minutesOf = (w: PoolWorkload) => (byJob.get(`${w.namespace}/${w.name}`) ?? []).filter((m) => m.minute < now && m.minute >= now - UTILIZATION_LOOKBACK_MS - 60_000);
    return signalsAt(workloads, input, minutesOf, now, policies);
  };
  const decided = (decisions: readonly ActionDecision[], now: number): void => {
    for (const d of decisions) {
      if (d.status === 'dry-run' || d.plan.kind !== 'preempt') continue;
      for (const v of d.plan.preemption.victims) {
        const run = runOf.get(jobKey(v));
        if (run !== undefined && !effects.suspended.has(run)) effects.suspended.set(run, { by: d.id, at: now });
      }
      const p = d.plan.preemption.pending;
      const served = p ? runOf.get(jobKey(p)) : undefined;
      if (served !== undefined && !effects.served.has(served)) effects.served.set(served, now);
    }
  };
  return Object.assign(signals, { decided });
}
