import { z } from 'zod';
import { parseDuration } from '../slo/index.js';
import type { Action, Guardrails, Policy, RetrainTarget, Trigger } from './policy.js';

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 5m, 1h, 30d` });
    return z.NEVER;
  }
  return ms;
});
const name = z.string().min(1);
const fraction = z.number().gt(0).max(1);
const percent = z.number().gt(0).max(100).transform((p) => p / 100);
const parameters = z.record(z.string(), z.string()).default({});

/** An object with exactly one of the given keys ("trigger: { drift_episode: {...} }"). */
function oneOf<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.strictObject(shape).partial().superRefine((value, ctx) => {
    const given = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', continue: false, message: `give exactly one of ${keys.join(', ')}${given.length > 1 ? ` (got ${given.join(', ')})` : ''}` });
  });
}

const trigger = oneOf({
  drift_episode: z.strictObject({ model: name, min_drift_share: fraction.default(0.3), min_psi: z.number().min(0).default(0.2) }),
  slo_alert: z.strictObject({ slo: name, severity: z.enum(['page', 'ticket']).default('page') }),
  gpu_pending: z.strictObject({ for: duration, min_priority: z.number().int() }),
  gpu_idle: z.strictObject({ below_percent: percent, for: duration }),
}).transform((t): Trigger => {
  if (t.drift_episode) return { type: 'drift_episode', model: t.drift_episode.model, minDriftShare: t.drift_episode.min_drift_share, minPsi: t.drift_episode.min_psi };
  if (t.slo_alert) return { type: 'slo_alert', slo: t.slo_alert.slo, severity: t.slo_alert.severity };
  if (t.gpu_pending) return { type: 'gpu_pending', pendingForMs: t.gpu_pending.for, minPriority: t.gpu_pending.min_priority };
  const idle = t.gpu_idle as { below_percent: number; for: number };
  return { type: 'gpu_idle', maxUtilization: idle.below_percent, forMs: idle.for };
});

const retrainTarget = oneOf({
  kfp: z.strictObject({ pipeline_id: name, pipeline_version_id: name, experiment_id: name, parameters }),
  argo: z.strictObject({ workflow_template: name, namespace: name.default('default'), parameters }),
  job: z.strictObject({ template: name, namespace: name.default('default'), parameters }),
}).transform((t): RetrainTarget => {
  if (t.kfp) return { kind: 'kfp', pipelineId: t.kfp.pipeline_id, pipelineVersionId: t.kfp.pipeline_version_id, experimentId: t.kfp.experiment_id, parameters: t.kfp.parameters };
  if (t.argo) return { kind: 'argo', workflowTemplate: t.argo.workflow_template, namespace: t.argo.namespace, parameters: t.argo.parameters };
  const job = t.job as { template: string; namespace: string; parameters: Record<string, string> };
  return { kind: 'job', template: job.template, namespace: job.namespace, parameters: job.parameters };
});

const action = oneOf({
  retrain: z.strictObject({ target: retrainTarget }),
  preempt: z.strictObject({
    resume: z.boolean().default(true),
    grace_period: duration.default(300_000),
    min_runtime: duration.default(600_000),
    max_preemptions_per_job: z.number().int().min(1).default(2),
    preemption_window: duration.default(86_400_000),
  }),
  rollback: z.strictObject({ kind: z.enum(['kserve', 'deployment']), name, namespace: name.default('default'), lookback: duration.default(3_600_000) }),
}).transform((a): Action => {
  if (a.retrain) return { type: 'retrain', target: a.retrain.target };
  if (a.rollback) return { type: 'rollback', kind: a.rollback.kind, serving: { namespace: a.rollback.namespace, name: a.rollback.name }, lookbackMs: a.rollback.lookback };
  const p = a.preempt as NonNullable<typeof a.preempt>;
  return { type: 'preempt', resume: p.resume, gracePeriodMs: p.grace_period, minRuntimeMs: p.min_runtime, maxPreemptionsPerJob: p.max_preemptions_per_job, preemptionWindowMs: p.preemption_window };
});

const freeze = z.strictObject({ budget_below: z.strictObject({ slo: name, below: fraction }) });

const guardrails = z.strictObject({
  dry_run: z.boolean().default(false),
  require_approval: z.boolean().default(false),
  cooldown: duration.default(3_600_000),
  max_concurrent: z.number().int().min(1).default(1),
  max_per_hour: z.number().int().min(1).default(6),
  blast_radius: fraction.default(0.5),
  circuit_breaker: z.strictObject({ failures: z.number().int().min(1).default(3), reset_after: duration.default(3_600_000) }).prefault({}),
  freeze: z.array(freeze).default([]),
  freeze_when_budget_unknown: z.boolean().default(false),
}).prefault({}).transform((g): Guardrails => ({
  dryRun: g.dry_run,
  requireApproval: g.require_approval,
  cooldownMs: g.cooldown,
  maxConcurrent: g.max_concurrent,
  maxPerHour: g.max_per_hour,
  blastRadius: g.blast_radius,
  circuitBreaker: { failures: g.circuit_breaker.failures, resetAfterMs: g.circuit_breaker.reset_after },
  freeze: g.freeze.map((f) => ({ slo: f.budget_below.slo, below: f.budget_below.below })),
  freezeWhenUnknown: g.freeze_when_budget_unknown,
}));

/** Which actions each trigger can drive. */
export const ACTIONS_FOR_TRIGGER: Readonly<Record<Trigger['type'], ReadonlyArray<Action['type']>>> = {
  drift_episode: ['retrain'],
  slo_alert: ['rollback', 'retrain'],
  gpu_pending: ['preempt'],
  gpu_idle: ['preempt'],
};

export const policySpec = z.strictObject({
  apiVersion: z.literal('mlwarden.dev/v1'),
  kind: z.literal('Policy'),
  metadata: z.strictObject({ name: z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)') }),
  spec: z.strictObject({ description: z.string().default(''), trigger, action, guardrails }),
}).superRefine((p, ctx) => {
  // zod runs this even when a field above had an issue, so the parts may be missing.
  const allowed = ACTIONS_FOR_TRIGGER[p.spec?.trigger?.type];
  if (allowed && p.spec.action?.type && !allowed.includes(p.spec.action.type)) {
    ctx.addIssue({ code: 'custom', path: ['spec', 'action'], message: `a ${p.spec.trigger.type} trigger cannot drive ${p.spec.action.type}; use ${allowed.join(' or ')}` });
  }
});

/** A parsed spec as the engine's Policy. */
export function policyFromSpec(spec: z.output<typeof policySpec>, source: Policy['source']): Policy {
  const { description, trigger: t, action: a, guardrails: g } = spec.spec;
  return { name: spec.metadata.name, description, trigger: t, action: a, guardrails: g, source };
}
