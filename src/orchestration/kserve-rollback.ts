/**
 * Rolling an InferenceService back (DESIGN.md, Orchestration notes): a canary in progress goes to
 * `canaryTrafficPercent: 0` (all traffic to the rolled-out revision); otherwise the predictor goes
 * back to the spec mlwarden recorded for the previous revision. Both writes carry the
 * resourceVersion and mark the object with the action, so a repeat finds it done.
 */
import type { ActionPlan } from '../domain/policy/index.js';
import { annotationPath, ROLLED_BACK_BY_ANNOTATION } from './action-markers.js';
import { INFERENCESERVICES, type JsonPatchOp, type KubeObjects } from './kube-objects.js';
import { isConflict } from './kube-errors.js';
import { observePredictor, rolledBackBy, type RollbackResult } from './serving-rollouts.js';

type RollbackPlan = Extract<ActionPlan, { kind: 'rollback' }>;

const mark = (action: string, version: string, at: number) => JSON.stringify({ action, version, at });

async function canaryToZero(objects: KubeObjects, namespace: string, name: string, plan: RollbackPlan, actionId: string, now: number): Promise<RollbackResult> {
  let changed = false;
  const object = await objects.update(INFERENCESERVICES, namespace, name, (isvc) => {
    changed = rolledBackBy(isvc)?.action !== actionId;
    return changed ? { metadata: { annotations: { [ROLLED_BACK_BY_ANNOTATION]: mark(actionId, plan.fromVersion, now) } }, spec: { predictor: { canaryTrafficPercent: 0 } } } : undefined;
  });
  if (object === undefined) throw new Error(`InferenceService ${namespace}/${name} does not exist`);
  return { object, changed, detail: `canary ${plan.fromVersion} of InferenceService ${namespace}/${name} set to 0% traffic; the rolled-out revision serves everything` };
}

async function previousPredictor(objects: KubeObjects, namespace: string, name: string, plan: RollbackPlan, actionId: string, now: number): Promise<RollbackResult> {
  for (let attempt = 1; ; attempt++) {
    const observed = await observePredictor(objects, namespace, name, now);
    if (observed === undefined) throw new Error(`InferenceService ${namespace}/${name} does not exist`);
    const { isvc, history } = observed;
    if (rolledBackBy(isvc)?.action === actionId) return { object: isvc, changed: false, detail: `already rolled back by ${actionId}` };
    const target = history.at(-2);
    if (target === undefined) throw new Error(`no earlier predictor spec of InferenceService ${namespace}/${name} was recorded (KServe keeps none); cannot roll back`);
    const ops: JsonPatchOp[] = [
      { op: 'replace', path: '/metadata/resourceVersion', value: isvc.metadata.resourceVersion },
      { op: 'replace', path: '/spec/predictor', value: target.spec },
      { op: 'add', path: annotationPath(ROLLED_BACK_BY_ANNOTATION), value: mark(actionId, target.version, now) },
    ];
    try {
      const object = await objects.jsonPatch(INFERENCESERVICES, namespace, name, ops);
      return { object, changed: true, detail: `predictor of InferenceService ${namespace}/${name} returned to revision ${target.revision} (${target.version}) from ${plan.fromVersion}` };
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}

export function rollbackInferenceService(objects: KubeObjects, namespace: string, name: string, plan: RollbackPlan, actionId: string, now: number): Promise<RollbackResult> {
  return plan.strategy === 'canary-to-zero' ? canaryToZero(objects, namespace, name, plan, actionId, now) : previousPredictor(objects, namespace, name, plan, actionId, now);
}
