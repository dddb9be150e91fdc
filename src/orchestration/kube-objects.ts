import type { CustomObjectsApi } from '@kubernetes/client-node';
import { withBackoff, type BackoffOptions } from './backoff.js';
import { isConflict, isNotFound } from './kube-errors.js';
import { JSON_PATCH, MERGE_PATCH } from './kube-apis.js';

/** A resource as the REST path names it (built-in groups work too: the path shape is the same). */
export interface ResourceKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const JOBS: ResourceKind = { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' };
export const CRONJOBS: ResourceKind = { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob' };
export const PYTORCHJOBS: ResourceKind = { group: 'kubeflow.org', version: 'v1', plural: 'pytorchjobs', kind: 'PyTorchJob' };
export const TFJOBS: ResourceKind = { group: 'kubeflow.org', version: 'v1', plural: 'tfjobs', kind: 'TFJob' };
export const INFERENCESERVICES: ResourceKind = { group: 'serving.kserve.io', version: 'v1beta1', plural: 'inferenceservices', kind: 'InferenceService' };
export const DEPLOYMENTS: ResourceKind = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' };
export const REPLICASETS: ResourceKind = { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' };
export const WORKFLOWS: ResourceKind = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' };
export const WORKFLOWTEMPLATES: ResourceKind = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflowtemplates', kind: 'WorkflowTemplate' };

export const PRIORITYCLASSES: ResourceKind = { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass' };

export const apiVersion = (r: ResourceKind): string => `${r.group}/${r.version}`;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ uid: string; kind: string; name: string; controller?: boolean }>;
}

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export type JsonPatchOp = { op: 'add' | 'replace' | 'test' | 'remove'; path: string; value?: unknown };

/** Decides the merge patch for the object as read now (include metadata.resourceVersion), or undefined when nothing is to change. */
export type PatchFor = (current: KubeObject) => Record<string, unknown> | undefined;

/**
 * Reads and writes objects of any kind through CustomObjectsApi as plain JSON, each call retried
 * with backoff on 5xx, 429 and timeouts. Writes carry a resourceVersion precondition; `update`
 * re-reads and tries again on 409.
 */
export class KubeObjects {
  constructor(private readonly api: CustomObjectsApi, private readonly backoff: BackoffOptions = {}) {}

  async get(r: ResourceKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return (await withBackoff(`get ${r.plural} ${namespace}/${name}`, () => this.api.getNamespacedCustomObject({ ...this.path(r, namespace), name }), this.backoff)) as KubeObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(r: ResourceKind, namespace: string | undefined, labelSelector?: string): Promise<KubeObject[]> {
    const call = namespace === undefined
      ? () => this.api.listCustomObjectForAllNamespaces({ group: r.group, version: r.version, plural: r.plural, ...(labelSelector ? { labelSelector } : {}) })
      : () => this.api.listNamespacedCustomObject({ ...this.path(r, namespace), ...(labelSelector ? { labelSelector } : {}) });
    const list = (await withBackoff(`list ${r.plural}`, call, this.backoff)) as { items?: KubeObject[] };
    return list.items ?? [];
  }

  async listCluster(r: ResourceKind): Promise<KubeObject[]> {
    const list = (await withBackoff(`list ${r.plural}`, () => this.api.listClusterCustomObject({ group: r.group, version: r.version, plural: r.plural }), this.backoff)) as { items?: KubeObject[] };
    return list.items ?? [];
  }

  /** Creates the object; when it already exists (a replay after a crash or a lost response) returns the stored one. */
  async createOrGet(r: ResourceKind, namespace: string, body: KubeObject): Promise<{ object: KubeObject; created: boolean }> {
    try {
      const object = (await withBackoff(`create ${r.plural} ${namespace}/${body.metadata.name}`, () => this.api.createNamespacedCustomObject({ ...this.path(r, namespace), body }), this.backoff)) as KubeObject;
      return { object, created: true };
    } catch (error) {
      if (!isConflict(error)) throw error;
      const existing = await this.get(r, namespace, body.metadata.name);
      if (existing === undefined) throw error;
      return { object: existing, created: false };
    }
  }

  async jsonPatch(r: ResourceKind, namespace: string, name: string, ops: JsonPatchOp[]): Promise<KubeObject> {
    return (await withBackoff(`patch ${r.plural} ${namespace}/${name}`, () => this.api.patchNamespacedCustomObject({ ...this.path(r, namespace), name, body: ops }, JSON_PATCH), this.backoff)) as KubeObject;
  }

  /**
   * Read, decide, merge-patch with the read resourceVersion; on 409 read again and decide again.
   * Returns the object as it ends up (unchanged when `patchFor` says nothing is to change), or
   * undefined when it does not exist.
   */
  async update(r: ResourceKind, namespace: string, name: string, patchFor: PatchFor, conflicts = 5): Promise<KubeObject | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(r, namespace, name);
      if (current === undefined) return undefined;
      const patch = patchFor(current);
      if (patch === undefined) return current;
      const body = { ...patch, metadata: { ...(patch.metadata as object | undefined), resourceVersion: current.metadata.resourceVersion } };
      try {
        return (await withBackoff(`patch ${r.plural} ${namespace}/${name}`, () => this.api.patchNamespacedCustomObject({ ...this.path(r, namespace), name, body }, MERGE_PATCH), this.backoff)) as KubeObject;
      } catch (error) {
        if (!isConflict(error) || attempt >= conflicts) throw error;
      }
    }
  }

  private path(r: ResourceKind, namespace: string) {
    return { group: r.group, version: r.version, namespace, plural: r.plural };
  }
}
