import type { CoreV1Api, V1ObjectReference } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { withBackoff } from './backoff.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string | undefined;
}

export interface AuditEvent {
  type: 'Normal' | 'Warning';
  /** UpperCamelCase, e.g. MlwardenRollback, MlwardenPreemptDenied. */
  reason: string;
  message: string;
  /** What was done or decided: Rollback, Preempt, Resume, Retrain, Escalate. */
  action: string;
}

/**
 * Records a core/v1 Event on the object an action concerns, so `kubectl describe` and event
 * exporters show mlwarden's decisions next to the object's own history.
 */
export async function recordEvent(core: CoreV1Api, target: EventTarget, event: AuditEvent, reportingInstance: string, now: number): Promise<void> {
  const involvedObject: V1ObjectReference = { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, ...(target.uid ? { uid: target.uid } : {}) };
  const time = new Date(now);
  await withBackoff(`create event on ${target.kind} ${target.namespace}/${target.name}`, () =>
    core.createNamespacedEvent({
      namespace: target.namespace,
      body: {
        metadata: { name: `${target.name}.${randomBytes(8).toString('hex')}`, namespace: target.namespace },
        involvedObject,
        type: event.type,
        reason: event.reason,
        message: event.message.slice(0, 1024),
        action: event.action,
        source: { component: 'mlwarden' },
        reportingComponent: 'mlwarden.dev/policy-engine',
        reportingInstance,
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      },
    }), { attempts: 3 });
}
