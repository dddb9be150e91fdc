import { WorkQueue } from './work-queue.js';
import type { StoreEvent } from './event-history.js';
import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import type { ObjectStore } from './object-store.js';
import { findResourceType, type ResourceType } from './resource-registry.js';
import { kubeTimestamp, metaOf } from './write-strategy.js';

export interface InferenceServiceControllerOptions {
  /** Clock for condition timestamps, in epoch milliseconds (default: the wall clock). */
  now?: () => number;
  /** The ingress domain of service URLs (default `example.com`, Knative's). */
  domain?: string;
  /** Where a failed reconcile is reported; the controller carries on either way. */
  onError?: (error: unknown) => void;
}

function inferenceServices(): ResourceType {
  const found = findResourceType('serving.kserve.io', 'v1beta1', 'inferenceservices');
  if (found === undefined) throw new Error('the emulator does not serve inferenceservices.serving.kserve.io/v1beta1');
  return found;
}

const INFERENCE_SERVICES = inferenceServices();

/** What one InferenceService has rolled out: its predictor revisions, oldest first. */
interface Rollout {
  uid: string;
  revisions: Array<{ name: string; spec: JsonObject }>;
  latestRolledout?: string;
  previousRolledout?: string;
}

/** The predictor as a revision records it: the traffic split is routing, not part of the revision. */
function revisionSpecOf(isvc: JsonObject): JsonObject {
  const spec = isJsonObject(isvc.spec) ? isvc.spec : {};
  const { canaryTrafficPercent: _canary, ...predictor } = isJsonObject(spec.predictor) ? spec.predictor : {};
  return cloneJson(predictor);
}

function canaryPercentOf(isvc: JsonObject): number | undefined {
  const predictor = isJsonObject(isvc.spec) && isJsonObject(isvc.spec.predictor) ? isvc.spec.predictor : {};
  return typeof predictor.canaryTrafficPercent === 'number' ? Math.min(100, Math.max(0, predictor.canaryTrafficPercent)) : undefined;
}

const keyOf = (isvc: JsonObject) => `${metaOf(isvc).namespace as string}/${metaOf(isvc).name as string}`;
const revisionName = (service: string, ordinal: number) => `${service}-predictor-${String(ordinal).padStart(5, '0')}`;

/** Records a new revision when the predictor changed, then promotes it unless a canary split holds it back. */
function advance(rollout: Rollout, isvc: JsonObject): string {
  const spec = revisionSpecOf(isvc);
  const last = rollout.revisions.at(-1);
  if (last === undefined || !jsonEqual(last.spec, spec)) {
    rollout.revisions.push({ name: revisionName(metaOf(isvc).name as string, rollout.revisions.length + 1), spec });
  }
  const latestCreated = (rollout.revisions.at(-1) as { name: string }).name;
  const canary = canaryPercentOf(isvc);
  if (rollout.latestRolledout === undefined || (latestCreated !== rollout.latestRolledout && (canary === undefined || canary === 100))) {
    if (rollout.latestRolledout !== undefined) rollout.previousRolledout = rollout.latestRolledout;
    rollout.latestRolledout = latestCreated;
  }
  return latestCreated;
}

/**
 * Emulates the status KServe's controller (serverless mode) gives an InferenceService: each change
 * of `spec.predictor` is a new Knative revision, rolled out at once, or held as a canary taking
 * `canaryTrafficPercent` of traffic (tag `latest`) beside the last rolled-out one (tag `prev`)
 * until the percent is removed or set to 100. Revisions are kept in memory, as Knative would keep
 * them in Revision objects. Writes go straight to the store, after the write that triggered them.
 */
export class InferenceServiceController {
  private readonly now: () => number;
  private readonly domain: string;
  private readonly onError: (error: unknown) => void;
  private readonly rollouts = new Map<string, Rollout>();
  private unsubscribe: (() => void) | undefined;
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: ObjectStore,
    options: InferenceServiceControllerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.domain = options.domain ?? 'example.com';
    this.onError = options.onError ?? (() => undefined);
    this.queue = new WorkQueue('InferenceService controller', (key) => this.reconcileOne(key), this.onError);
  }

  start(): void {
    this.unsubscribe ??= this.store.subscribe((event) => this.onEvent(event));
    this.reconcile();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Reconciles every InferenceService now. */
  reconcile(): void {
    for (const isvc of this.store.list(INFERENCE_SERVICES, undefined)) this.enqueue(keyOf(isvc));
  }

  /** The predictor spec (without canaryTrafficPercent) a revision such as `fraud-predictor-00002` serves. */
  revisionSpec(namespace: string, name: string, revision: string): JsonObject | undefined {
    const found = this.rollouts.get(`${namespace}/${name}`)?.revisions.find((r) => r.name === revision);
    return found === undefined ? undefined : cloneJson(found.spec);
  }

  private onEvent(event: StoreEvent): void {
    if (event.storageKey === INFERENCE_SERVICES.storageKey) this.enqueue(keyOf(event.object));
  }

  private enqueue(key: string): void {
    this.queue.enqueue(key);
  }

  private reconcileOne(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const isvc = this.store.list(INFERENCE_SERVICES, namespace).find((o) => metaOf(o).name === name);
    if (isvc === undefined) {
      this.rollouts.delete(key);
      return;
    }
    const uid = metaOf(isvc).uid as string;
    let rollout = this.rollouts.get(key);
    if (rollout?.uid !== uid) this.rollouts.set(key, (rollout = { uid, revisions: [] }));
    const latestCreated = advance(rollout, isvc);
    const status = this.statusOf(isvc, rollout, latestCreated);
    if (jsonEqual(isvc.status, status)) return;
    this.store.update(INFERENCE_SERVICES, namespace, name, { ...isvc, status }, { subresource: 'status' });
  }

  private statusOf(isvc: JsonObject, rollout: Rollout, latestCreated: string): JsonObject {
    const { namespace, name } = metaOf(isvc) as { namespace: string; name: string };
    const predictor: JsonObject = {
      latestCreatedRevision: latestCreated,
      latestReadyRevision: latestCreated,
      latestRolledoutRevision: rollout.latestRolledout as string,
      traffic: this.traffic(isvc, rollout, latestCreated),
      url: `http://${name}-predictor.${namespace}.${this.domain}`,
      address: { url: `http://${name}-predictor.${namespace}.svc.cluster.local` },
    };
    if (rollout.previousRolledout !== undefined) predictor.previousRolledoutRevision = rollout.previousRolledout;
    const previous = isJsonObject(isvc.status) && Array.isArray(isvc.status.conditions) ? isvc.status.conditions : [];
    return {
      observedGeneration: metaOf(isvc).generation ?? 1,
      url: `http://${name}.${namespace}.${this.domain}`,
      address: { url: `http://${name}.${namespace}.svc.cluster.local` },
      components: { predictor },
      conditions: ['IngressReady', 'PredictorReady', 'Ready'].map((type) => this.readyCondition(previous, type)),
    };
  }

  private traffic(isvc: JsonObject, rollout: Rollout, latestCreated: string): JsonObject[] {
    const rolledOut = rollout.latestRolledout as string;
    if (latestCreated === rolledOut) return [{ revisionName: rolledOut, percent: 100, latestRevision: true }];
    const { namespace, name } = metaOf(isvc) as { namespace: string; name: string };
    const canary = canaryPercentOf(isvc) ?? 100;
    const tagUrl = (tag: string) => `http://${tag}-${name}-predictor.${namespace}.${this.domain}`;
    return [
      { revisionName: latestCreated, percent: canary, latestRevision: true, tag: 'latest', url: tagUrl('latest') },
      { revisionName: rolledOut, percent: 100 - canary, latestRevision: false, tag: 'prev', url: tagUrl('prev') },
    ];
  }

  /** True, keeping the transition time of a condition that was already True (so a re-sync writes nothing). */
  private readyCondition(previous: JsonValue[], type: string): JsonObject {
    const old = previous.find((c): c is JsonObject => isJsonObject(c) && c.type === type);
    if (old !== undefined && old.status === 'True') return old;
    return { type, status: 'True', lastTransitionTime: kubeTimestamp(new Date(this.now())) };
  }
}
