import type { RetrainTarget } from './policy.js';
import type { PreemptionPlan } from './preemption.js';
import type { WorkloadKind } from './signals.js';

export type ActionKind = 'retrain' | 'preempt' | 'resume' | 'rollback' | 'escalate';
export type DecisionStatus = 'proposed' | 'dry-run' | 'awaiting-approval' | 'denied';

/** The named guardrails and rules that can deny an action. */
export type Guard =
  | 'budget-freeze'
  | 'circuit-breaker'
  | 'cooldown'
  | 'rate-limit'
  | 'max-concurrent'
  | 'blast-radius'
  | 'kueue-managed'
  | 'min-runtime'
  | 'preemption-bound'
  | 'no-feasible-victims';

/** What an action acts on; `key` identifies it for cooldowns ("model/fraud", "job/ns/name"). */
export interface ActionTarget {
  resource: 'model' | 'job' | 'inferenceservice' | 'deployment' | 'alert';
  namespace: string;
  name: string;
  key: string;
}

export type Cause = Record<string, string | number | boolean | null>;

/**
 * How to roll back (DESIGN.md, Orchestration notes): a KServe canary goes to canaryTrafficPercent 0;
 * a KServe predictor otherwise goes back to the last good spec mlwarden recorded; a Deployment goes
 * back to its previous ReplicaSet's pod template.
 */
export type RollbackStrategy = 'canary-to-zero' | 'previous-predictor-spec' | 'previous-replicaset';

/** What the orchestration layer needs to carry the action out, as data. */
export type ActionPlan =
  | { kind: 'retrain'; target: RetrainTarget; runName: string; parameters: Record<string, string> }
  | { kind: 'rollback'; resource: 'kserve' | 'deployment'; strategy: RollbackStrategy; toVersion: string | null; fromVersion: string }
  | { kind: 'preempt'; preemption: PreemptionPlan }
  | { kind: 'resume'; job: { kind: WorkloadKind; namespace: string; name: string } }
  | { kind: 'escalate'; annotation: string };

export interface ActionDecision {
  /** The idempotency key: one action per episode / alert / pending job, stable across restarts. */
  id: string;
  policy: string;
  kind: ActionKind;
  target: ActionTarget;
  status: DecisionStatus;
  /** The guardrail that denied it (status 'denied' only). */
  deniedBy?: Guard;
  reason: string;
  cause: Cause;
  plan: ActionPlan;
  decidedAt: number;
}

/** Why a policy produced no decision for a signal (not its trigger, already handled, no evidence). */
export interface NoDecision {
  policy: string;
  reason: string;
}

export type PolicyOutcome = { decision: ActionDecision } | { skipped: NoDecision };

export function target(resource: ActionTarget['resource'], namespace: string, name: string): ActionTarget {
  return { resource, namespace, name, key: namespace === '' ? `${resource}/${name}` : `${resource}/${namespace}/${name}` };
}

/**
 * A DNS-1123 name for objects created for an action (Argo Workflow, Job, KFP display name): a
 * readable prefix plus a hash of the id, so a replay of the same action gets the same name (409).
 */
export function actionObjectName(prefix: string, id: string): string {
  let hash = 0x811c9dc5; // FNV-1a, 32 bit
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  const head = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'mlwarden';
  return `${head}-${hash.toString(16).padStart(8, '0')}`;
}
