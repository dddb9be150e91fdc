/**
 * Carries actions out, one step at a time. `step` takes an action as the audit trail has it
 * (proposed or running) and returns its next state; the caller saves it. Steps are idempotent —
 * every write is conditional or finds its own earlier work — so after a crash or a leader change
 * the same step simply runs again.
 *
 *   retrain   proposed → done (run started) | failed
 *   rollback  proposed → running (rolled back, verifying recovery) → done | failed (burn did not recover)
 *   preempt   proposed → running (checkpoint asked) → done (victims suspended after checkpoint or grace)
 *   resume    proposed → done
 *   escalate  proposed → done (serving object annotated, Warning event)
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { rollbackRecovery, type ActionPlan, type ActionTarget, type Policy, type RecoveryObservation, type RecoveryRules, type Victim } from '../domain/policy/index.js';
import type { ActionEntry } from '../store/index.js';
import { advanced, finished, planOf } from './action-entries.js';
import { ESCALATION_ANNOTATION } from './action-markers.js';
import { rollbackDeployment } from './deployment-rollback.js';
import type { KfpClient } from './kfp-client.js';
import { recordEvent, type AuditEvent, type EventTarget } from './kube-events.js';
import { describeFailure } from './kube-errors.js';
import { apiVersion, DEPLOYMENTS, INFERENCESERVICES, type KubeObject, type KubeObjects } from './kube-objects.js';
import { rollbackInferenceService } from './kserve-rollback.js';
import { launchRetrain } from './retrain-launcher.js';
import { lastCheckpointAt, requestCheckpoint, resumeWorkload, suspendWorkload, WORKLOAD_RESOURCES, type WorkloadRef } from './workload-suspension.js';

export interface ExecutorDeps {
  objects: KubeObjects;
  core: CoreV1Api;
  kfp?: KfpClient | undefined;
  /** This replica, as the Events' reporting instance. */
  identity: string;
  now: () => number;
  policy: (name: string) => Policy | undefined;
  /** How an SLO is doing now, to verify a rollback; without it a rollback is done once applied. */
  sloRecovery?: ((slo: string) => Promise<RecoveryObservation>) | undefined;
  recoveryRules: RecoveryRules;
  /** Told when mlwarden escalates an SLO's burn to people instead of acting (annotates its firing alert). */
  onEscalated?: ((slo: string, message: string) => void) | undefined;
  logger: Logger;
}

type Plan<K extends ActionPlan['kind']> = Extract<ActionPlan, { kind: K }> & { target: ActionTarget };

const workloadOf = (v: { kind?: WorkloadRef['kind']; namespace: string; name: string }): WorkloadRef => ({ kind: v.kind ?? 'Job', namespace: v.namespace, name: v.name });

export function workloadEventTarget(ref: WorkloadRef): EventTarget {
  return { apiVersion: apiVersion(WORKLOAD_RESOURCES[ref.kind]), kind: ref.kind, namespace: ref.namespace, name: ref.name };
}

const objectEventTarget = (o: KubeObject): EventTarget => ({
  apiVersion: o.apiVersion ?? 'v1', kind: o.kind ?? 'Object', namespace: o.metadata.namespace ?? 'default', name: o.metadata.name, uid: o.metadata.uid,
});

export class ActionExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async step(entry: ActionEntry): Promise<ActionEntry> {
    try {
      return await this.stepOf(entry);
    } catch (error) {
      const failure = describeFailure(error);
      this.deps.logger.error({ action: entry.id, policy: entry.policy, err: failure }, 'action failed');
      return finished(entry, 'failed', `${entry.reason}; failed: ${failure}`, this.deps.now());
    }
  }

  /** A Kubernetes Event; a failure to record one is logged, never fails the action. */
  async event(target: EventTarget, event: AuditEvent): Promise<void> {
    try {
      await recordEvent(this.deps.core, target, event, this.deps.identity, this.deps.now());
    } catch (error) {
      this.deps.logger.warn({ target: `${target.kind} ${target.namespace}/${target.name}`, reason: event.reason, err: describeFailure(error) }, 'could not record a Kubernetes event');
    }
  }

  private stepOf(entry: ActionEntry): Promise<ActionEntry> {
    const plan = planOf(entry);
    switch (plan.kind) {
      case 'retrain':
        return this.retrain(entry, plan);
      case 'rollback':
        return entry.status === 'running' ? this.verifyRollback(entry) : this.rollback(entry, plan);
      case 'preempt':
        return entry.status === 'running' ? this.suspendVictims(entry, plan) : this.askForCheckpoints(entry, plan);
      case 'resume':
        return this.resume(entry, plan);
      case 'escalate':
        return this.escalate(entry, plan);
    }
  }

  private async retrain(entry: ActionEntry, plan: Plan<'retrain'>): Promise<ActionEntry> {
    const launch = await launchRetrain(plan, entry.id, { objects: this.deps.objects, kfp: this.deps.kfp });
    const detail = `${launch.created ? 'started' : 'found already started'} ${launch.ref}`;
    if (launch.object) await this.event(objectEventTarget(launch.object), { type: 'Normal', reason: 'MlwardenRetrain', action: 'Retrain', message: `${entry.reason}; ${detail} (action ${entry.id})` });
    return finished(entry, 'succeeded', `${entry.reason}; ${detail}`, this.deps.now());
  }

  private async rollback(entry: ActionEntry, plan: Plan<'rollback'>): Promise<ActionEntry> {
    const { namespace, name } = plan.target;
    const now = this.deps.now();
    const result = plan.resource === 'kserve'
      ? await rollbackInferenceService(this.deps.objects, namespace, name, plan, entry.id, now)
      : await rollbackDeployment(this.deps.objects, namespace, name, plan, entry.id, now);
    await this.event(objectEventTarget(result.object), { type: 'Warning', reason: 'MlwardenRollback', action: 'Rollback', message: `${entry.reason}; ${result.detail} (action ${entry.id})` });
    const next = advanced(entry, { status: 'running', reason: `${entry.reason}; ${result.detail}` }, now);
    return this.deps.sloRecovery === undefined ? finished(next, 'succeeded', next.reason, now) : next;
  }

  /** While running, `updated_at` is when the rollback was applied (a running action is not rewritten until it ends). */
  private async verifyRollback(entry: ActionEntry): Promise<ActionEntry> {
    const slo = String(entry.cause.slo ?? '');
    if (this.deps.sloRecovery === undefined) return finished(entry, 'succeeded', entry.reason, this.deps.now());
    const now = this.deps.now();
    const verdict = rollbackRecovery(entry.updated_at, now, await this.deps.sloRecovery(slo), this.deps.recoveryRules);
    if (verdict === 'waiting') return entry;
    if (verdict === 'recovered') return finished(entry, 'succeeded', `${entry.reason}; SLO ${slo} recovered`, now);
    if (verdict === 'unknown') return finished(entry, 'succeeded', `${entry.reason}; recovery of SLO ${slo} could not be judged (too few events since the rollback)`, now);
    return finished(entry, 'failed', `${entry.reason}; SLO ${slo} still burning after the rollback`, now);
  }

  private async askForCheckpoints(entry: ActionEntry, plan: Plan<'preempt'>): Promise<ActionEntry> {
    const now = this.deps.now();
    for (const victim of plan.preemption.victims) await requestCheckpoint(this.deps.objects, workloadOf(victim), entry.id, now);
    return advanced(entry, { status: 'running' }, now);
  }

  private async checkpointed(victim: Victim, since: number): Promise<boolean> {
    const ref = workloadOf(victim);
    const object = await this.deps.objects.get(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name);
    const at = object === undefined ? undefined : lastCheckpointAt(object);
    // RFC 3339 annotations often carry whole seconds: a checkpoint in the second of the request counts.
    return object === undefined || (at !== undefined && at >= Math.floor(since / 1000) * 1000);
  }

  /** Suspends once every victim checkpointed after being asked, or the grace period is over. */
  private async suspendVictims(entry: ActionEntry, plan: Plan<'preempt'>): Promise<ActionEntry> {
    const now = this.deps.now();
    const asked = entry.updated_at;
    const graceOver = now >= asked + plan.preemption.phases[1].graceMs;
    const ready = await Promise.all(plan.preemption.victims.map((v) => this.checkpointed(v, asked)));
    if (!graceOver && !ready.every(Boolean)) return entry;
    const outcomes: string[] = [];
    for (const [i, victim] of plan.preemption.victims.entries()) {
      const ref = workloadOf(victim);
      const outcome = await suspendWorkload(this.deps.objects, ref, entry.id);
      outcomes.push(`${ref.namespace}/${ref.name} ${outcome}${ready[i] ? ' after a checkpoint' : ' at the end of the grace period'}`);
      if (outcome === 'suspended') await this.event(workloadEventTarget(ref), { type: 'Warning', reason: 'MlwardenPreempted', action: 'Preempt', message: `suspended to free ${victim.gpus} GPU(s): ${entry.reason} (action ${entry.id})` });
      if (outcome === 'kueue-managed') outcomes.push(`${ref.namespace}/${ref.name} is managed by Kueue now: left to Kueue`);
    }
    return finished(entry, 'succeeded', `${entry.reason}; ${outcomes.join('; ')}`, now);
  }

  private async resume(entry: ActionEntry, plan: Plan<'resume'>): Promise<ActionEntry> {
    const ref = workloadOf(plan.job);
    const outcome = await resumeWorkload(this.deps.objects, ref, String(entry.cause.suspended_by ?? ''));
    if (outcome === 'resumed') await this.event(workloadEventTarget(ref), { type: 'Normal', reason: 'MlwardenResumed', action: 'Resume', message: `${entry.reason} (action ${entry.id})` });
    return finished(entry, 'succeeded', `${entry.reason}; ${outcome}`, this.deps.now());
  }

  private async escalate(entry: ActionEntry, plan: Plan<'escalate'>): Promise<ActionEntry> {
    const action = this.deps.policy(entry.policy)?.action;
    const now = this.deps.now();
    this.deps.onEscalated?.(String(entry.cause.slo ?? ''), plan.annotation);
    if (action?.type !== 'rollback') return finished(entry, 'succeeded', entry.reason, now);
    const resource = action.kind === 'kserve' ? INFERENCESERVICES : DEPLOYMENTS;
    const { namespace, name } = action.serving;
    const value = JSON.stringify({ action: entry.id, at: new Date(now).toISOString(), message: plan.annotation });
    const object = await this.deps.objects.update(resource, namespace, name, (o) =>
      o.metadata.annotations?.[ESCALATION_ANNOTATION]?.includes(`"${entry.id}"`) ? undefined : { metadata: { annotations: { [ESCALATION_ANNOTATION]: value } } });
    if (object) await this.event(objectEventTarget(object), { type: 'Warning', reason: 'MlwardenEscalated', action: 'Escalate', message: `${plan.annotation} (action ${entry.id})` });
    return finished(entry, 'succeeded', `${entry.reason}; escalated on ${resource.kind} ${namespace}/${name}`, now);
  }
}
