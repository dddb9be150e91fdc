import { labelsOf, metadataOf, namespaceOf, numberAt, objectAt, stringAt, timeAt, uidOf, type KubeObject } from './kube-object.js';
import { podGpus } from './pod-facts.js';
import { identityFrom } from './run-labels.js';
import type { RunKind, RunRecord } from './run-record.js';

/** priorityClassName → value, for pods whose spec.priority admission has not filled in. */
export type PriorityClasses = Readonly<Record<string, number>>;

/** The part of every row of a workload that does not depend on the attempt or state. */
export type RunBase = Omit<RunRecord, 'ts' | 'state' | 'reason' | 'attempt' | 'created_at' | 'started_at' | 'finished_at' | 'pending_ms'>;

export function priorityOf(podSpec: KubeObject, classes: PriorityClasses, className = stringAt(podSpec.priorityClassName)): number {
  return numberAt(podSpec.priority) ?? classes[className] ?? 0;
}

export function runBase(object: KubeObject, defaultKind: RunKind, resources: { gpus: number; priority: number }): RunBase {
  const labels = labelsOf(object);
  const { kind, model, version, pipeline } = identityFrom(labels, defaultKind);
  return {
    run_id: uidOf(object),
    parent_run_id: '',
    kind,
    pipeline,
    namespace: namespaceOf(object),
    model,
    version,
    gpus: resources.gpus,
    priority: resources.priority,
    labels: { ...labels, name: stringAt(metadataOf(object).name), source: stringAt(object.kind) },
  };
}

export const createdAtOf = (object: KubeObject): number | null => timeAt(metadataOf(object).creationTimestamp);

/** GPUs of a pod template times its replica count. */
export const templateGpus = (template: unknown, replicas: number): number => podGpus(objectAt(objectAt(template).spec)) * replicas;
