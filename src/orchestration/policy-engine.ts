/**
 * The policy engine's loop, level-triggered: each pass reads the signals as they stand (open drift
 * episodes, firing SLO alerts, the GPU pool), the audit trail and the budgets, runs the pure
 * decisions, records every new or changed decision, then moves each action in flight one step.
 * Idempotency keys make a repeated pass (or a new leader's first pass) decide nothing twice.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { MlwardenError } from '../domain/errors.js';
import {
  decideApproved,
  decideResumes,
  idleSignal,
  evaluatePolicies,
  recordOf,
  type ActionDecision,
  type ActionRecord,
  type DecisionContext,
  type DriftEpisodeSignal,
  type Policy,
  type RolloutInfo,
  type Signal,
  type SloAlertSignal,
  type UtilizationMinute,
} from '../domain/policy/index.js';
import { actionRecordOf, type ActionEntry, type ActionLog } from '../store/index.js';
import { advanced, decisionOfEntry, entryOf } from './action-entries.js';
import { workloadEventTarget, type ActionExecutor } from './action-executor.js';
import { readGpuCluster } from './gpu-cluster.js';
import { gpuSignals } from './gpu-signals.js';
import type { EventTarget } from './kube-events.js';
import { apiVersion, DEPLOYMENTS, INFERENCESERVICES, type KubeObjects } from './kube-objects.js';
import type { PolicyMetrics } from './policy-metrics.js';
import { deploymentRollout, inferenceServiceRollout } from './serving-rollouts.js';

/** An SLO alert firing now, as the alert engine tracks it. */
export interface FiringAlert {
  slo: string;
  severity: 'page' | 'ticket';
  firingSince: number;
  model: string;
  data: SloAlertSignal['data'];
}

/** What the engine reads besides the cluster; the composition root wires these to analysis and alerting. */
export interface PolicyInputs {
  driftEpisodes(now: number): Promise<DriftEpisodeSignal[]>;
  firingAlerts(now: number): Promise<FiringAlert[]>;
  /** Budget remaining per SLO for its current period (fraction), for freezes. */
  budgets(now: number): Promise<Record<string, number | undefined>>;
  /** Per-minute GPU utilisation of running jobs, by "namespace/job". */
  gpuUtilization(now: number): Promise<ReadonlyMap<string, UtilizationMinute[]>>;
}

export interface PolicyEngineDeps {
  policies: readonly Policy[];
  inputs: PolicyInputs;
  log: ActionLog;
  objects: KubeObjects;
  core: CoreV1Api;
  executor: ActionExecutor;
  now: () => number;
  logger: Logger;
  metrics?: PolicyMetrics | undefined;
  /** How far back the audit trail is read for guardrails (default 30 days). */
  historyMs?: number;
}

export interface PassReport {
  decided: ActionDecision[];
  stepped: ActionEntry[];
}

const ACTIONABLE = new Set(['proposed', 'running']);

export class PolicyEngine {
  private readonly historyMs: number;

  constructor(private readonly deps: PolicyEngineDeps) {
    this.historyMs = deps.historyMs ?? 30 * 86_400_000;
  }

  get policies(): readonly Policy[] {
    return this.deps.policies;
  }

  policy(name: string): Policy | undefined {
    return this.deps.policies.find((p) => p.name === name);
  }

  /** One pass. Stops stepping actions as soon as `signal` aborts (leadership lost). */
  async pass(signal?: AbortSignal): Promise<PassReport> {
    const now = this.deps.now();
    const entries = await this.deps.log.list({ since: now - this.historyMs });
    const ctx: DecisionContext = { now, history: entries.map(actionRecordOf), budgets: await this.deps.inputs.budgets(now) };
    const decided = await this.decide(ctx, entries);
    const changed = await this.record(decided, entries, now);
    const latest = new Map(entries.map((e) => [e.id, e]));
    for (const e of changed) latest.set(e.id, e);
    const stepped: ActionEntry[] = [];
    for (const entry of [...latest.values()].filter((e) => ACTIONABLE.has(e.status)).sort((a, b) => a.created_at - b.created_at)) {
      if (signal?.aborted) break;
      const next = await this.deps.executor.step(entry);
      if (next === entry) continue;
      if (signal?.aborted) break;
      await this.deps.log.save([next]);
      this.deps.metrics?.transition(next);
      stepped.push(next);
    }
    this.deps.metrics?.observe(this.deps.policies, [...latest.values(), ...stepped]);
    return { decided, stepped };
  }

  /** An admin approves an action awaiting approval: the guardrails are checked again now. */
  async approve(id: string, actor: string): Promise<ActionEntry> {
    const entry = await this.awaiting(id);
    const policy = this.policy(entry.policy);
    if (policy === undefined) throw new MlwardenError('conflict', `action ${id} belongs to policy ${entry.policy}, which is no longer loaded`);
    const now = this.deps.now();
    const entries = await this.deps.log.list({ since: now - this.historyMs });
    const decision = decideApproved(decisionOfEntry(entry), policy, { now, history: entries.map(actionRecordOf), budgets: await this.deps.inputs.budgets(now) });
    const next = advanced(entry, { status: decision.status, reason: decision.status === 'denied' ? decision.reason : `${entry.reason}; approved by ${actor}`, denied_by: decision.deniedBy ?? '', actor }, now);
    await this.deps.log.save([next]);
    this.deps.metrics?.transition(next);
    return next;
  }

  async reject(id: string, actor: string): Promise<ActionEntry> {
    const entry = await this.awaiting(id);
    const now = this.deps.now();
    const next = advanced(entry, { status: 'rejected', reason: `${entry.reason}; rejected by ${actor}`, actor }, now);
    await this.deps.log.save([{ ...next, finished_at: next.updated_at }]);
    this.deps.metrics?.transition(next);
    return next;
  }

  private async awaiting(id: string): Promise<ActionEntry> {
    const entry = await this.deps.log.get(id);
    if (entry === undefined) throw new MlwardenError('not-found', `no action ${id}`);
    if (entry.status !== 'awaiting-approval') throw new MlwardenError('conflict', `action ${id} is ${entry.status}, not awaiting approval`);
    return entry;
  }

  private async decide(ctx: DecisionContext, entries: readonly ActionEntry[]): Promise<ActionDecision[]> {
    const decided: ActionDecision[] = [];
    let history: ActionRecord[] = [...ctx.history];
    const consider = (signal: Signal, policies: readonly Policy[]) => {
      for (const outcome of evaluatePolicies(policies, signal, { ...ctx, history })) {
        if (!('decision' in outcome)) {
          this.deps.logger.debug({ policy: outcome.skipped.policy, signal: signal.kind, reason: outcome.skipped.reason }, 'policy not acting');
          continue;
        }
        decided.push(outcome.decision);
        if (outcome.decision.status !== 'denied') history = [...history, recordOf(outcome.decision)];
      }
    };
    const byTrigger = (type: Policy['trigger']['type']) => this.deps.policies.filter((p) => p.trigger.type === type);
    if (byTrigger('drift_episode').length > 0) for (const s of await this.deps.inputs.driftEpisodes(ctx.now)) consider(s, byTrigger('drift_episode'));
    await this.considerAlerts(ctx.now, byTrigger('slo_alert'), consider);
    const gpuPolicies = this.deps.policies.filter((p) => p.action.type === 'preempt');
    if (gpuPolicies.length > 0) decided.push(...(await this.considerGpus({ ...ctx, history }, entries, consider)));
    return decided;
  }

  private async considerAlerts(now: number, policies: readonly Policy[], consider: (s: Signal, p: readonly Policy[]) => void): Promise<void> {
    const rollouts = new Map<string, RolloutInfo | null>();
    // Observed every pass, firing or not: KServe keeps no history, so mlwarden must see each version roll out.
    for (const p of policies) if (p.action.type === 'rollback') rollouts.set(p.name, await this.rolloutOf(p, now));
    if (policies.length === 0) return;
    for (const alert of await this.deps.inputs.firingAlerts(now)) {
      for (const p of policies) {
        if (p.trigger.type !== 'slo_alert' || p.trigger.slo !== alert.slo) continue;
        const serving = p.action.type === 'rollback' ? p.action.serving : { namespace: '', name: alert.model };
        consider({ kind: 'slo_alert', ...alert, serving, rollout: rollouts.get(p.name) ?? null }, [p]);
      }
    }
  }

  private rolloutOf(policy: Policy, now: number): Promise<RolloutInfo | null> {
    if (policy.action.type !== 'rollback') return Promise.resolve(null);
    const { namespace, name } = policy.action.serving;
    return policy.action.kind === 'kserve' ? inferenceServiceRollout(this.deps.objects, namespace, name, now) : deploymentRollout(this.deps.objects, namespace, name);
  }

  private async considerGpus(ctx: DecisionContext, entries: readonly ActionEntry[], consider: (s: Signal, p: readonly Policy[]) => void): Promise<ActionDecision[]> {
    const cluster = await readGpuCluster(this.deps.objects, this.deps.core);
    const gpu = gpuSignals(cluster, entries, await this.deps.inputs.gpuUtilization(ctx.now), ctx.now);
    const pendingPolicies = this.deps.policies.filter((p) => p.trigger.type === 'gpu_pending');
    if (gpu.contention) consider(gpu.contention, pendingPolicies);
    for (const p of this.deps.policies) {
      if (p.trigger.type !== 'gpu_idle') continue;
      const below = p.trigger.maxUtilization;
      for (const running of gpu.running) {
        const s = idleSignal(running, below, gpu.namespaceCounts(running.job.namespace));
        if (s) consider(s, [p]);
      }
    }
    const ownerOf = new Map(entries.map((e) => [e.id, e.policy]));
    return this.deps.policies.flatMap((p) => {
      const mine = gpu.suspended.filter((j) => ownerOf.get(j.suspendedBy) === p.name);
      const lowest = Math.min(...mine.map((j) => j.priority));
      return mine.length === 0 ? [] : decideResumes(p, mine, gpu.freeForResume(lowest), ctx);
    });
  }

  /** Saves decisions that are new or changed (a denial repeated each pass is written once), with an Event for each. */
  private async record(decided: readonly ActionDecision[], entries: readonly ActionEntry[], now: number): Promise<ActionEntry[]> {
    const known = new Map(entries.map((e) => [e.id, e]));
    const fresh: ActionEntry[] = [];
    for (const d of decided) {
      const prior = known.get(d.id);
      if (prior !== undefined && (prior.status !== 'denied' || (d.status === 'denied' && prior.denied_by === (d.deniedBy ?? '')))) continue;
      const entry = prior === undefined ? entryOf(d, now) : { ...entryOf(d, now), updated_at: Math.max(now, prior.updated_at + 1) };
      fresh.push(entry);
      known.set(entry.id, entry);
    }
    if (fresh.length === 0) return [];
    await this.deps.log.save(fresh);
    for (const entry of fresh) {
      this.deps.metrics?.transition(entry);
      this.deps.logger.info({ action: entry.id, policy: entry.policy, kind: entry.kind, status: entry.status, target: entry.target, reason: entry.reason }, 'policy decision');
      if (entry.status !== 'proposed') await this.announce(entry);
    }
    return fresh;
  }

  /** An Event for a decision that did not act (dry run, awaiting approval, denied), on the object it concerns. */
  private async announce(entry: ActionEntry): Promise<void> {
    const target = this.eventTarget(entry);
    if (target === undefined) return;
    const reason = { 'dry-run': 'MlwardenDryRun', 'awaiting-approval': 'MlwardenAwaitingApproval', denied: 'MlwardenDenied' }[entry.status] ?? 'MlwardenDecision';
    await this.deps.executor.event(target, { type: entry.status === 'denied' ? 'Warning' : 'Normal', reason, action: entry.kind, message: `${entry.kind} (${entry.status}): ${entry.reason} (action ${entry.id})` });
  }

  private eventTarget(entry: ActionEntry): EventTarget | undefined {
    const [resource, namespace, name] = entry.target.split('/');
    if (namespace === undefined || name === undefined || namespace === '') return undefined;
    if (resource === 'job') {
      const plan = entry.plan as { preemption?: { pending?: { kind?: 'Job' | 'PyTorchJob' | 'TFJob' } | null; victims?: Array<{ kind?: 'Job' | 'PyTorchJob' | 'TFJob' }> } };
      const kind = plan.preemption?.pending?.kind ?? plan.preemption?.victims?.[0]?.kind ?? 'Job';
      return workloadEventTarget({ kind, namespace, name });
    }
    if (resource === 'inferenceservice') return { apiVersion: apiVersion(INFERENCESERVICES), kind: INFERENCESERVICES.kind, namespace, name };
    if (resource === 'deployment') return { apiVersion: apiVersion(DEPLOYMENTS), kind: DEPLOYMENTS.kind, namespace, name };
    return undefined;
  }
}
