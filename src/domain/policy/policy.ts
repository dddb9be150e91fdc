/**
 * A policy as the engine uses it: plain data, validated and converted from a YAML spec
 * (`policy-spec.ts`). Durations are milliseconds; percentages are fractions in 0..1.
 */

/** A drift episode opened on a model with enough features drifting by enough. */
export interface DriftEpisodeTrigger {
  type: 'drift_episode';
  model: string;
  minDriftShare: number;
  minPsi: number;
}

/** An SLO alert firing at this severity (ticket also matches page: a page is the stronger signal). */
export interface SloAlertTrigger {
  type: 'slo_alert';
  slo: string;
  severity: 'page' | 'ticket';
}

/** A training job of at least `minPriority` pending on GPUs for at least `pendingForMs`. */
export interface GpuPendingTrigger {
  type: 'gpu_pending';
  pendingForMs: number;
  minPriority: number;
}

/** A running job whose GPU utilisation stayed under `maxUtilization` for at least `forMs`. */
export interface GpuIdleTrigger {
  type: 'gpu_idle';
  maxUtilization: number;
  forMs: number;
}

export type Trigger = DriftEpisodeTrigger | SloAlertTrigger | GpuPendingTrigger | GpuIdleTrigger;

/** An SLO's budget remaining for its current (calendar) period under a fraction: a freeze condition. */
export interface BudgetBelow {
  slo: string;
  below: number;
}

export type RetrainTarget =
  | { kind: 'kfp'; pipelineId: string; pipelineVersionId: string; experimentId: string; parameters: Record<string, string> }
  | { kind: 'argo'; workflowTemplate: string; namespace: string; parameters: Record<string, string> }
  | { kind: 'job'; template: string; namespace: string; parameters: Record<string, string> };

export interface RetrainAction {
  type: 'retrain';
  target: RetrainTarget;
}

export interface PreemptAction {
  type: 'preempt';
  /** Resume the victims when capacity frees. */
  resume: boolean;
  /** Time a victim gets to write a checkpoint before it is suspended. */
  gracePeriodMs: number;
  /** A job younger than this is never preempted. */
  minRuntimeMs: number;
  /** At most this many preemptions of one job within `preemptionWindowMs` (no thrash). */
  maxPreemptionsPerJob: number;
  preemptionWindowMs: number;
}

export interface RollbackAction {
  type: 'rollback';
  kind: 'kserve' | 'deployment';
  /** The InferenceService or Deployment serving the SLO's model. */
  serving: { namespace: string; name: string };
  /** A rollout older than this does not explain a burn: escalate instead of rolling back. */
  lookbackMs: number;
}

export type Action = RetrainAction | PreemptAction | RollbackAction;

export interface Guardrails {
  dryRun: boolean;
  requireApproval: boolean;
  /** Minimum time between two actions of this policy on one target. */
  cooldownMs: number;
  /** Actions of this policy in flight (proposed, awaiting approval, running) at once. */
  maxConcurrent: number;
  /** Actions of this policy started within the last hour. */
  maxPerHour: number;
  /** Maximum fraction of a namespace's jobs that may stand preempted at once. */
  blastRadius: number;
  /** Open after `failures` failed actions since the last success; half-open after `resetAfterMs`. */
  circuitBreaker: { failures: number; resetAfterMs: number };
  /** No action while any of these SLOs has less budget left than its fraction. */
  freeze: BudgetBelow[];
  /** A freeze SLO with no budget figure (no traffic yet): allow (default: no data is not a failure) or freeze. */
  freezeWhenUnknown: boolean;
}

export interface Policy {
  name: string;
  description: string;
  trigger: Trigger;
  action: Action;
  guardrails: Guardrails;
  source: { file: string; document: number };
}
