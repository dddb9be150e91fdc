/**
 * Rolling a Deployment back like `kubectl rollout undo`: its pod template goes back to the previous
 * ReplicaSet's, minus the `pod-template-hash` label — a JSON patch on `/spec/template` (never a
 * merge of the containers list, which would drop sidecars) with a resourceVersion precondition.
 */
import type { ActionPlan } from '../domain/policy/index.js';
import { annotationPath, ROLLED_BACK_BY_ANNOTATION } from './action-markers.js';
import { isConflict } from './kube-errors.js';
import { DEPLOYMENTS, type KubeObjects } from './kube-objects.js';
import { ownedReplicaSets, POD_TEMPLATE_HASH_LABEL, revisionOf, rolledBackBy, templateVersion, type RollbackResult } from './serving-rollouts.js';

type RollbackPlan = Extract<ActionPlan, { kind: 'rollback' }>;

function withoutHash(template: Record<string, unknown>): Record<string, unknown> {
  const metadata = (template.metadata ?? {}) as { labels?: Record<string, string> };
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...labels } = metadata.labels ?? {};
  return { ...template, metadata: { ...metadata, labels } };
}

export async function rollbackDeployment(objects: KubeObjects, namespace: string, name: string, plan: RollbackPlan, actionId: string, now: number): Promise<RollbackResult> {
  for (let attempt = 1; ; attempt++) {
    const deployment = await objects.get(DEPLOYMENTS, namespace, name);
    if (deployment === undefined) throw new Error(`Deployment ${namespace}/${name} does not exist`);
    if (rolledBackBy(deployment)?.action === actionId) return { object: deployment, changed: false, detail: `already rolled back by ${actionId}` };
    const [, previous] = await ownedReplicaSets(objects, deployment);
    if (previous === undefined) throw new Error(`Deployment ${namespace}/${name} has no previous ReplicaSet to roll back to`);
    const template = withoutHash(previous.spec?.template as Record<string, unknown>);
    const version = templateVersion(template);
    const annotations = deployment.metadata.annotations;
    const ops = [
      { op: 'replace' as const, path: '/metadata/resourceVersion', value: deployment.metadata.resourceVersion },
      { op: 'replace' as const, path: '/spec/template', value: template },
      annotations === undefined
        ? { op: 'add' as const, path: '/metadata/annotations', value: { [ROLLED_BACK_BY_ANNOTATION]: JSON.stringify({ action: actionId, version, at: now }) } }
        : { op: 'add' as const, path: annotationPath(ROLLED_BACK_BY_ANNOTATION), value: JSON.stringify({ action: actionId, version, at: now }) },
    ];
    try {
      const object = await objects.jsonPatch(DEPLOYMENTS, namespace, name, ops);
      return { object, changed: true, detail: `Deployment ${namespace}/${name} returned to revision ${revisionOf(previous)} (${version}) from ${plan.fromVersion}` };
    } catch (error) {
      if (!isConflict(error) || attempt >= 5) throw error;
    }
  }
}
