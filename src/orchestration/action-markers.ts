/**
 * The labels and annotations mlwarden puts on the objects it creates or changes. They make the
 * orchestration layer level-triggered: after a crash or a leader change it finds its own work by
 * these marks instead of repeating it.
 */
import { actionObjectName } from '../domain/policy/index.js';

/** The full action id on objects mlwarden created (label values cannot hold it: see ACTION_LABEL). */
export const ACTION_ID_ANNOTATION = 'mlwarden.dev/action-id';
/** A label-safe hash of the action id, to find an action's objects with a label selector. */
export const ACTION_LABEL = 'mlwarden.dev/action';
/** On a job mlwarden suspended: the preempt action that did it (resume only clears its own marks). */
export const SUSPENDED_BY_ANNOTATION = 'mlwarden.dev/suspended-by';
/** Asks a training job to write a checkpoint (the value: the asking action and when). */
export const CHECKPOINT_REQUESTED_ANNOTATION = 'mlwarden.dev/checkpoint-requested';
/** Written by a training job (or its sidecar) when a checkpoint is saved: an RFC 3339 time. */
export const LAST_CHECKPOINT_ANNOTATION = 'mlwarden.dev/last-checkpoint';
/** On a serving object mlwarden rolled back: `{ action, version }` as JSON. */
export const ROLLED_BACK_BY_ANNOTATION = 'mlwarden.dev/rolled-back-by';
/** On an InferenceService: the predictor specs mlwarden saw rolled out (KServe keeps one previous revision only). */
export const PREDICTOR_HISTORY_ANNOTATION = 'mlwarden.dev/predictor-history';
/** On an SLO's serving object when mlwarden escalates instead of acting. */
export const ESCALATION_ANNOTATION = 'mlwarden.dev/escalation';
export { KUEUE_QUEUE_LABEL } from '../domain/policy/index.js';
/** The model version of a pod template or KServe predictor. */
export const VERSION_LABEL = 'app.kubernetes.io/version';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export const actionLabelValue = (actionId: string): string => actionObjectName('action', actionId);

/** Labels and annotations for an object created by an action. */
export function createdBy(actionId: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  return { labels: { [ACTION_LABEL]: actionLabelValue(actionId), [MANAGED_BY_LABEL]: 'mlwarden' }, annotations: { [ACTION_ID_ANNOTATION]: actionId } };
}

/** The JSON-patch path of an annotation (RFC 6901 escapes `~` and `/`). */
export const annotationPath = (key: string): string => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
