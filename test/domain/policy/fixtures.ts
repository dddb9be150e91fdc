/** Fluent fixture builders for the policy engine's tests (Kueue's MakeWorkload(...).Priority(100).Obj() habit). */
import type { ActionRecord, DecisionContext, GpuContentionSignal, GpuJob, PendingJob, Policy, RecordStatus, SloAlertSignal } from '../../../src/domain/policy/index.js';
import { loadPolicySpecs } from '../../../src/domain/policy/index.js';

export const NOW = Date.UTC(2026, 10, 24, 12);
export const MIN = 60_000;
export const HOUR = 3_600_000;

export class JobBuilder {
  private job: GpuJob;
  constructor(name: string, namespace = 'research') {
    this.job = { namespace, name, priority: 0, gpus: 1, gpuUtilization: 0.9, runtimeSeconds: 7200, kueueManaged: false };
  }
  priority(p: number): this { this.job.priority = p; return this; }
  gpus(n: number): this { this.job.gpus = n; return this; }
  utilization(u: number | undefined): this { this.job.gpuUtilization = u; return this; }
  runtime(seconds: number): this { this.job.runtimeSeconds = seconds; return this; }
  checkpointAgo(seconds: number): this { this.job.secondsSinceCheckpoint = seconds; return this; }
  kueue(): this { this.job.kueueManaged = true; return this; }
  obj(): GpuJob { return { ...this.job }; }
}
export const makeJob = (name: string, namespace?: string) => new JobBuilder(name, namespace);

export const pendingJob = (over: Partial<PendingJob> = {}): PendingJob => ({ namespace: 'prod', name: 'big-train', priority: 100, gpus: 4, pendingSince: NOW - 20 * MIN, ...over });

export function contention(running: GpuJob[], over: Partial<GpuContentionSignal> = {}): GpuContentionSignal {
  return { kind: 'gpu_contention', pending: pendingJob(), running, suspended: [], freeGpus: 0, ...over };
}

export function sloAlert(over: Partial<SloAlertSignal> = {}): SloAlertSignal {
  return {
    kind: 'slo_alert', slo: 'fraud-latency', severity: 'page', firingSince: NOW - 5 * MIN, data: 'ok', model: 'fraud',
    serving: { namespace: 'serving', name: 'fraud' }, rollout: { version: 'v2', previousVersion: 'v1', rolledOutAt: NOW - 20 * MIN }, ...over,
  };
}

export class RecordBuilder {
  private r: ActionRecord;
  constructor(id: string, policy = 'p') {
    this.r = { id, policy, kind: 'retrain', target: 'model/fraud', status: 'done', createdAt: NOW - HOUR, outcome: 'succeeded' };
  }
  kind(k: ActionRecord['kind']): this { this.r.kind = k; return this; }
  target(t: string): this { this.r.target = t; return this; }
  status(s: RecordStatus): this { this.r.status = s; if (s !== 'done' && s !== 'failed') delete this.r.outcome; return this; }
  failed(): this { this.r.status = 'failed'; this.r.outcome = 'failed'; return this; }
  at(ms: number): this { this.r.createdAt = ms; this.r.finishedAt = ms; return this; }
  victims(...keys: string[]): this { this.r.victims = keys; return this; }
  obj(): ActionRecord { return { ...this.r }; }
}
export const makeRecord = (id: string, policy?: string) => new RecordBuilder(id, policy);

export const context = (over: Partial<DecisionContext> = {}): DecisionContext => ({ now: NOW, history: [], budgets: {}, ...over });

/** One policy from a YAML body: `trigger`, `action` and optional `guardrails` blocks, indented under spec. */
export function policy(spec: string, name = 'p'): Policy {
  const text = `apiVersion: mlwarden.dev/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^\n/, '').replace(/^/gm, '  ')}`;
  const [loaded] = loadPolicySpecs([{ name: 'test.yaml', text }]);
  if (!loaded) throw new Error('no policy loaded');
  return loaded;
}

export const ROLLBACK = `
trigger:
  slo_alert: { slo: fraud-latency, severity: page }
action:
  rollback: { kind: kserve, name: fraud, namespace: serving, lookback: 1h }
`;
export const RETRAIN = `
trigger:
  drift_episode: { model: fraud, min_drift_share: 0.3, min_psi: 0.2 }
action:
  retrain:
    target:
      kfp: { pipeline_id: p1, pipeline_version_id: v1, experiment_id: e1, parameters: { epochs: "3" } }
`;
export const PREEMPT = `
trigger:
  gpu_pending: { for: 10m, min_priority: 100 }
action:
  preempt: { grace_period: 5m, min_runtime: 10m, max_preemptions_per_job: 2, preemption_window: 24h }
`;
