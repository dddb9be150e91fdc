/**
 * GPU contention and idleness for a backtest: the GPU jobs at each instant rebuilt from stored run
 * state changes (one row per state change per attempt, as the run collector writes them), their
 * per-minute utilisation and a given pool capacity, turned into the signals the live engine builds
 * (orchestration/gpu-signals.ts) with the same idempotency keys.
 *
 * The replay's own preemptions change the cluster it replays: their victims count as suspended by
 * mlwarden and the job they were for as running, from the instant after the decision. A SignalSource
 * does not see the replay's decisions, so the source evaluates the preempt policies on its own
 * signals against its own copy of the history, exactly as the replay does (preempt policies only
 * answer GPU signals, and their guardrails fold only their own records), and applies the effects.
 */
import type { ActionDecision } from './action-decision.js';
import type { SignalSource } from './backtest.js';
import { recordOf } from './decision-record.js';
import { evaluatePolicies } from './evaluate.js';
import { idleness, type UtilizationMinute } from './gpu-idleness.js';
import type { ActionRecord } from './guardrail-state.js';
import type { Policy } from './policy.js';
import { jobKey, type GpuContentionSignal, type GpuIdleSignal, type GpuJob, type PendingJob, type WorkloadKind } from './signals.js';

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
  /** The real action history before the replay (the replay's own `history`). */
  history: readonly ActionRecord[];
  budgets?: (now: number) => Readonly<Record<string, number | undefined>>;
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

interface Workload {
  runId: string;
  kind: WorkloadKind;
  namespace: string;
  name: string;
  gpus: number;
  priority: number;
  phase: Exclude<Phase, 'finished'>;
  pendingSince: number;
  startedAt?: number;
  kueueManaged: boolean;
  suspendedBy?: string;
  suspendedAt?: number;
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'skipped']);
const RANK: Record<Phase, number> = { pending: 0, running: 1, suspended: 2, finished: 3 };
const IN_FLIGHT = new Set(['proposed', 'running', 'awaiting-approval']);
const ACTED = new Set(['proposed', 'running', 'awaiting-approval', 'done', 'failed']);
/** The live engine reads two hours of utilisation minutes; it reports the mean of the latest five. */
const UTILIZATION_LOOKBACK_MS = 2 * 3_600_000;
const RECENT_MINUTES = 5;

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

function recentUtilization(minutes: readonly UtilizationMinute[]): number | undefined {
  const recent = [...minutes].sort((a, b) => b.minute - a.minute).slice(0, RECENT_MINUTES);
  return recent.length === 0 ? undefined : recent.reduce((s, m) => s + m.utilization, 0) / recent.length;
}

/** As the live engine reports a running job; the store keeps no checkpoints, so work lost counts from the start. */
function gpuJobOf(w: Workload, minutes: readonly UtilizationMinute[], now: number): GpuJob {
  const utilization = recentUtilization(minutes);
  return {
    kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus,
    runtimeSeconds: Math.max(0, Math.floor((now - (w.startedAt ?? now)) / 1000)),
    kueueManaged: w.kueueManaged,
    ...(utilization !== undefined ? { gpuUtilization: utilization } : {}),
  };
}

const pendingOf = (w: Workload): PendingJob => ({ kind: w.kind, namespace: w.namespace, name: w.name, priority: w.priority, gpus: w.gpus, pendingSince: w.pendingSince, kueueManaged: w.kueueManaged });

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

/** The GPU signals at `now`, as orchestration/gpu-signals.ts builds them from the cluster it reads. */
function signalsAt(workloads: readonly Workload[], input: GpuReplayInput, minutesOf: (w: Workload) => UtilizationMinute[], now: number, policies: readonly Policy[]): Emitted[] {
  const flight = inFlightAt(input.live, now);
  const running = workloads.filter((w) => w.phase === 'running');
  const used = running.reduce((s, w) => s + w.gpus, 0);
  const pending = workloads.filter((w) => w.phase === 'pending').sort((a, b) => b.priority - a.priority || a.pendingSince - b.pendingSince);
  const leaving = running.filter((w) => flight.victims.has(jobKey(w))).reduce((s, w) => s + w.gpus, 0);
  const promised = pending.filter((w) => flight.servedPending.has(jobKey(w))).reduce((s, w) => s + w.gpus, 0);
  const free = Math.max(0, input.capacity - used + leaving - promised);
  const candidates = running.filter((w) => !flight.victims.has(jobKey(w)));
  const suspendedByUs = workloads.filter((w) => w.phase === 'suspended' && w.suspendedBy !== undefined);
  const out: Emitted[] = [];
  const next = pending.find((w) => !flight.servedPending.has(jobKey(w)));
  // Policies whose trigger cannot fire yet are left out: they would only skip, once per instant ("pending for 60s, ...").
  const pendingPolicies = next === undefined ? [] : policies.filter((p) => p.trigger.type === 'gpu_pending' && now - next.pendingSince >= p.trigger.pendingForMs);
  if (next !== undefined && pendingPolicies.length > 0) {
    const signal: GpuContentionSignal = {
      kind: 'gpu_contention', pending: pendingOf(next), running: candidates.map((w) => gpuJobOf(w, minutesOf(w), now)),
      suspended: suspendedByUs.map((w) => ({ namespace: w.namespace, name: w.name })), freeGpus: free,
    };
    out.push({ signal, policies: pendingPolicies, key: `gpu:contention:${jobKey(next)}:${next.pendingSince}` });
  }
  const counts = (namespace: string) => ({
    jobs: workloads.filter((w) => w.namespace === namespace && (w.phase === 'running' || (w.phase === 'suspended' && w.suspendedBy !== undefined))).length,
    suspended: suspendedByUs.filter((w) => w.namespace === namespace).length,
  });
  for (const p of policies) {
    if (p.trigger.type !== 'gpu_idle') continue;
    for (const w of candidates) {
      const minutes = minutesOf(w);
      const idle = idleness(minutes, p.trigger.maxUtilization);
      if (idle.idleSince === undefined || now - idle.idleSince < p.trigger.forMs) continue;
      const job = gpuJobOf(w, minutes, now);
      const c = counts(w.namespace);
      const signal: GpuIdleSignal = { kind: 'gpu_idle', job: { ...job, ...(idle.utilization !== undefined ? { gpuUtilization: idle.utilization } : {}) }, idleSince: idle.idleSince, namespaceJobs: c.jobs, namespaceSuspended: c.suspended };
      out.push({ signal, policies: [p], key: `gpu:idle:${p.name}:${jobKey(w)}:${idle.idleSince}` });
    }
  }
  return out;
}

/** The record the replay keeps of a decision: done at once, except a dry-run policy's preview. */
function simulated(d: ActionDecision): ActionRecord {
  const record = recordOf(d);
  return record.status === 'dry-run' ? record : { ...record, status: 'done', outcome: 'succeeded', finishedAt: d.decidedAt };
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
  let history: ActionRecord[] = [...input.history];
  const seen = new Map<number, Emitted[]>();
  return (now, policies) => {
    const cached = seen.get(now);
    if (cached !== undefined) return cached;
    const workloads = runs.map((r) => workloadAt(r, now, effects)).filter((w): w is Workload => w !== undefined);
    // What the live engine's query sees at `now`: minutes of the last two hours, up to now.
    const minutesOf = (w: Workload) => (byJob.get(`${w.namespace}/${w.name}`) ?? []).filter((m) => m.minute < now && m.minute >= now - UTILIZATION_LOOKBACK_MS - 60_000);
    const emitted = signalsAt(workloads, input, minutesOf, now, policies);
    seen.set(now, emitted);
    const runOf = new Map(workloads.map((w) => [jobKey(w), w.runId]));
    const budgets = input.budgets?.(now) ?? {};
    for (const { signal, policies: ps } of emitted) {
      for (const outcome of evaluatePolicies(ps, signal, { now, history, budgets })) {
        if (!('decision' in outcome) || outcome.decision.status === 'denied') continue;
        const d = outcome.decision;
        history = [...history, simulated(d)];
        if (d.status === 'dry-run' || d.plan.kind !== 'preempt') continue;
        for (const v of d.plan.preemption.victims) {
          const run = runOf.get(jobKey(v));
          if (run !== undefined && !effects.suspended.has(run)) effects.suspended.set(run, { by: d.id, at: now });
        }
        const p = d.plan.preemption.pending;
        const served = p ? runOf.get(jobKey(p)) : undefined;
        if (served !== undefined && !effects.served.has(served)) effects.served.set(served, now);
      }
    }
    return emitted;
  };
}
