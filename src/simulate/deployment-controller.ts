import { WorkQueue } from './work-queue.js';
import type { StoreEvent } from './event-history.js';
import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import type { ObjectStore } from './object-store.js';
import { findResourceType, type ResourceType } from './resource-registry.js';
import { kubeTimestamp, metaOf } from './write-strategy.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export interface DeploymentControllerOptions {
  /** Clock for condition timestamps, in epoch milliseconds (default: the wall clock). */
  now?: () => number;
  /** Where a failed reconcile is reported; the controller carries on either way. */
  onError?: (error: unknown) => void;
}

function resourceType(group: string, version: string, plural: string): ResourceType {
  const found = findResourceType(group, version, plural);
  if (found === undefined) throw new Error(`the emulator does not serve ${plural}.${group}/${version}`);
  return found;
}

const DEPLOYMENTS = resourceType('apps', 'v1', 'deployments');
const REPLICA_SETS = resourceType('apps', 'v1', 'replicasets');

// The alphabet of Kubernetes' rand.SafeEncodeString: no vowels, so no words, and no 0/1/3.
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function canonicalJson(value: JsonValue | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (!isJsonObject(value)) return JSON.stringify(value ?? null);
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** FNV-1a over the template, safe-encoded as kube-controller-manager names ReplicaSets (10 characters). */
export function podTemplateHash(template: JsonValue | undefined): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(canonicalJson(template))) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return [...String(hash).padStart(10, '0')].map((digit) => SAFE_ALPHANUMS[digit.charCodeAt(0) % SAFE_ALPHANUMS.length]).join('');
}

function withoutHash(template: JsonValue | undefined): JsonObject {
  const copy = isJsonObject(template) ? cloneJson(template) : {};
  const labels = isJsonObject(copy.metadata) && isJsonObject(copy.metadata.labels) ? copy.metadata.labels : undefined;
  if (labels !== undefined) delete labels[POD_TEMPLATE_HASH];
  return copy;
}

const specOf = (object: JsonObject): JsonObject => (isJsonObject(object.spec) ? object.spec : {});
const revisionOf = (rs: JsonObject): number => Number((metaOf(rs) as Annotated).annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
const replicasOf = (deployment: JsonObject): number => (typeof specOf(deployment).replicas === 'number' ? (specOf(deployment).replicas as number) : 1);

interface Annotated {
  annotations?: Record<string, string>;
}

function isControlledBy(rs: JsonObject, owner: JsonObject): boolean {
  const refs = metaOf(rs).ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === metaOf(owner).uid && r.controller === true);
}

/** The ReplicaSet the Deployment's current template asks for, labelled with its hash. */
function newReplicaSet(deployment: JsonObject, hash: string, revision: number): JsonObject {
  const meta = metaOf(deployment);
  const spec = specOf(deployment);
  const template = withoutHash(spec.template);
  const templateMeta = isJsonObject(template.metadata) ? template.metadata : (template.metadata = {});
  templateMeta.labels = { ...(isJsonObject(templateMeta.labels) ? templateMeta.labels : {}), [POD_TEMPLATE_HASH]: hash };
  const selector = isJsonObject(spec.selector) ? cloneJson(spec.selector) : {};
  selector.matchLabels = { ...(isJsonObject(selector.matchLabels) ? selector.matchLabels : {}), [POD_TEMPLATE_HASH]: hash };
  return {
    metadata: {
      name: `${meta.name as string}-${hash}`,
      labels: cloneJson(templateMeta.labels),
      annotations: { [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: meta.name as string, uid: meta.uid as string, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: replicasOf(deployment), minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
  };
}

/** Every replica is ready and available at once: the emulator runs no pods. */
function replicaSetStatus(rs: JsonObject): JsonObject {
  const replicas = (specOf(rs).replicas as number | undefined) ?? 0;
  return { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: metaOf(rs).generation ?? 1 };
}

/**
 * What kube-controller-manager's deployment controller does, minus pods and rolling pace: each
 * template gets its own ReplicaSet (reused on rollback, which bumps its revision), the current
 * one is scaled to spec.replicas and the rest to zero, and the Deployment's revision annotation
 * and status follow. Writes go straight to the store, synchronously, after the write that
 * triggered them.
 */
export class DeploymentController {
  private readonly now: () => number;
  private readonly onError: (error: unknown) => void;
  private unsubscribe: (() => void) | undefined;
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: ObjectStore,
    options: DeploymentControllerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.queue = new WorkQueue('deployment controller', (key) => this.reconcileOne(key), this.onError);
  }

  start(): void {
    this.unsubscribe ??= this.store.subscribe((event) => this.onEvent(event));
    this.reconcile();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Reconciles every Deployment now. */
  reconcile(): void {
    for (const d of this.store.list(DEPLOYMENTS, undefined)) this.enqueue(`${metaOf(d).namespace as string}/${metaOf(d).name as string}`);
  }

  private onEvent(event: StoreEvent): void {
    const meta = metaOf(event.object);
    if (event.storageKey === DEPLOYMENTS.storageKey) this.enqueue(`${meta.namespace as string}/${meta.name as string}`);
    if (event.storageKey !== REPLICA_SETS.storageKey) return;
    const owner = (meta.ownerReferences as JsonValue[] | undefined)?.find((r) => isJsonObject(r) && r.kind === 'Deployment' && r.controller === true);
    if (isJsonObject(owner)) this.enqueue(`${meta.namespace as string}/${owner.name as string}`);
  }

  private enqueue(key: string): void {
    this.queue.enqueue(key);
  }

  private reconcileOne(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const deployment = this.store.list(DEPLOYMENTS, namespace).find((d) => metaOf(d).name === name);
    if (deployment === undefined) return;
    const owned = this.store.list(REPLICA_SETS, namespace).filter((rs) => isControlledBy(rs, deployment));
    const current = this.syncCurrentReplicaSet(deployment, owned);
    for (const rs of owned) if (metaOf(rs).name !== metaOf(current).name) this.scale(rs, 0);
    this.syncDeployment(deployment, current);
  }

  /** Finds or creates the ReplicaSet of the current template and makes it the newest revision at full scale. */
  private syncCurrentReplicaSet(deployment: JsonObject, owned: JsonObject[]): JsonObject {
    const template = withoutHash(specOf(deployment).template);
    const matching = owned.find((rs) => jsonEqual(withoutHash(specOf(rs).template), template));
    const revision = Math.max(0, ...owned.filter((rs) => rs !== matching).map(revisionOf)) + 1;
    const namespace = metaOf(deployment).namespace;
    if (matching === undefined) {
      const created = this.store.create(REPLICA_SETS, namespace, newReplicaSet(deployment, podTemplateHash(template), revision));
      return this.writeStatus(REPLICA_SETS, created, replicaSetStatus(created));
    }
    let rs = matching;
    if (revisionOf(rs) < revision) {
      const next = cloneJson(rs);
      (metaOf(next) as Annotated).annotations = { ...(metaOf(next) as Annotated).annotations, [REVISION_ANNOTATION]: String(revision) };
      rs = this.store.update(REPLICA_SETS, namespace, metaOf(rs).name as string, next);
    }
    return this.scale(rs, replicasOf(deployment));
  }

  private scale(rs: JsonObject, replicas: number): JsonObject {
    let current = rs;
    if (specOf(rs).replicas !== replicas) {
      current = this.store.update(REPLICA_SETS, metaOf(rs).namespace, metaOf(rs).name as string, { ...rs, spec: { ...specOf(rs), replicas } });
    }
    return this.writeStatus(REPLICA_SETS, current, replicaSetStatus(current));
  }

  private syncDeployment(deployment: JsonObject, current: JsonObject): void {
    let latest = deployment;
    const revision = String(revisionOf(current));
    if ((metaOf(deployment) as Annotated).annotations?.[REVISION_ANNOTATION] !== revision) {
      const next = cloneJson(deployment);
      (metaOf(next) as Annotated).annotations = { ...(metaOf(next) as Annotated).annotations, [REVISION_ANNOTATION]: revision };
      latest = this.store.update(DEPLOYMENTS, metaOf(deployment).namespace, metaOf(deployment).name as string, next);
    }
    this.writeStatus(DEPLOYMENTS, latest, this.deploymentStatus(latest, current));
  }

  private deploymentStatus(deployment: JsonObject, current: JsonObject): JsonObject {
    const replicas = replicasOf(deployment);
    const previous = isJsonObject(deployment.status) && Array.isArray(deployment.status.conditions) ? deployment.status.conditions : [];
    const progressed = `ReplicaSet "${metaOf(current).name as string}" has successfully progressed.`;
    return {
      observedGeneration: metaOf(deployment).generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        this.condition(previous, 'Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        this.condition(previous, 'Progressing', 'NewReplicaSetAvailable', progressed),
      ],
    };
  }

  /** A True condition, keeping its timestamps while nothing about it changes (so a re-sync writes nothing). */
  private condition(previous: JsonValue[], type: string, reason: string, message: string): JsonObject {
    const old = previous.find((c): c is JsonObject => isJsonObject(c) && c.type === type);
    if (old !== undefined && old.status === 'True' && old.reason === reason && old.message === message) return old;
    const at = kubeTimestamp(new Date(this.now()));
    const transitioned = old?.status === 'True' ? (old.lastTransitionTime ?? at) : at;
    return { type, status: 'True', lastUpdateTime: at, lastTransitionTime: transitioned, reason, message };
  }

  private writeStatus(resource: ResourceType, object: JsonObject, status: JsonObject): JsonObject {
    if (jsonEqual(object.status, status)) return object;
    return this.store.update(resource, metaOf(object).namespace, metaOf(object).name as string, { ...object, status }, { subresource: 'status' });
  }
}
