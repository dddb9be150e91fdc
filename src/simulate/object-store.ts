import { cloneJson, jsonEqual, type JsonObject } from './json.js';
import { kubeErrors } from './kube-status.js';
import { EventHistory, type StoreEvent, type StoreListener } from './event-history.js';
import { metaOf, prepareForCreate, prepareForUpdate } from './write-strategy.js';
import { apiVersionOf, type ResourceType } from './resource-registry.js';

export interface ObjectStoreOptions {
  /** How many writes are kept for resuming watches (default 1000). */
  historyLimit?: number;
  /** Clock for creationTimestamp (default: the wall clock). */
  now?: () => Date;
}

export interface WriteOptions {
  dryRun?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  subresource?: 'status';
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { resourceVersion?: string; uid?: string };
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/**
 * The emulator's storage: objects per resource, one global resourceVersion counter bumped on
 * every write (like etcd's revision), preconditions, and the event history behind watches.
 * All methods are synchronous, so each write is atomic with respect to other requests.
 */
export class ObjectStore {
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private revision = 0;
  private readonly history: EventHistory;
  private readonly now: () => Date;

  constructor(options: ObjectStoreOptions = {}) {
    this.history = new EventHistory(options.historyLimit ?? 1000);
    this.now = options.now ?? (() => new Date());
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): JsonObject {
    const object = this.bucket(resource).get(keyOf(namespace, name));
    if (object === undefined) throw kubeErrors.notFound(resource, name);
    return this.present(resource, object);
  }

  /** Objects of a resource (in one namespace, or all when undefined), sorted like etcd keys. */
  list(resource: ResourceType, namespace: string | undefined): JsonObject[] {
    return [...this.bucket(resource).entries()]
      .filter(([, o]) => namespace === undefined || metaOf(o).namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => this.present(resource, o));
  }

  create(resource: ResourceType, namespace: string | undefined, input: JsonObject, options: WriteOptions = {}): JsonObject {
    const object = prepareForCreate(resource, input, namespace, this.now());
    const name = metaOf(object).name as string;
    const bucket = this.bucket(resource);
    if (bucket.has(keyOf(namespace, name))) throw kubeErrors.alreadyExists(resource, name);
    if (options.dryRun) return this.present(resource, object);
    this.commit(resource, 'ADDED', keyOf(namespace, name), object, undefined);
    return this.present(resource, object);
  }

  /** PUT semantics: a resourceVersion in the input is a precondition (409 Conflict when stale). */
  update(resource: ResourceType, namespace: string | undefined, name: string, input: JsonObject, options: UpdateOptions = {}): JsonObject {
    const stored = this.bucket(resource).get(keyOf(namespace, name));
    if (stored === undefined) throw kubeErrors.notFound(resource, name);
    const inputMeta = metaOf(input);
    if (inputMeta.name !== undefined && inputMeta.name !== name) {
      throw kubeErrors.badRequest(`the name of the object (${inputMeta.name}) does not match the name on the URL (${name})`);
    }
    this.checkPreconditions(resource, stored, { resourceVersion: inputMeta.resourceVersion, uid: inputMeta.uid });
    const next = prepareForUpdate(resource, stored, input, options.subresource);
    if (options.dryRun || jsonEqual(next, stored)) return this.present(resource, options.dryRun ? next : stored);
    this.commit(resource, 'MODIFIED', keyOf(namespace, name), next, stored);
    return this.present(resource, next);
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): JsonObject {
    const stored = this.bucket(resource).get(keyOf(namespace, name));
    if (stored === undefined) throw kubeErrors.notFound(resource, name);
    this.checkPreconditions(resource, stored, options.preconditions ?? {});
    if (options.dryRun) return this.present(resource, stored);
    this.commit(resource, 'DELETED', keyOf(namespace, name), cloneJson(stored), stored);
    return this.present(resource, stored);
  }

  /** Kept events after `resourceVersion` (throws Expired when some were evicted). */
  eventsSince(resourceVersion: number): StoreEvent[] {
    return this.history.since(resourceVersion);
  }

  subscribe(listener: StoreListener): () => void {
    return this.history.subscribe(listener);
  }

  /** Drops the watch history, as an etcd compaction would: older resumes get 410 Expired. */
  compact(): void {
    this.history.compact(this.revision);
  }

  private checkPreconditions(resource: ResourceType, stored: JsonObject, want: { resourceVersion?: string | undefined; uid?: string | undefined }): void {
    const meta = metaOf(stored);
    const name = meta.name as string;
    if (want.uid !== undefined && want.uid !== '' && want.uid !== meta.uid) {
      throw kubeErrors.conflict(resource, name, `Precondition failed: UID in precondition: ${want.uid}, UID in object meta: ${meta.uid}`);
    }
    if (want.resourceVersion !== undefined && want.resourceVersion !== '' && want.resourceVersion !== meta.resourceVersion) {
      throw kubeErrors.conflict(resource, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
  }

  private commit(resource: ResourceType, type: StoreEvent['type'], key: string, object: JsonObject, previous: JsonObject | undefined): void {
    this.revision += 1;
    const bucket = this.bucket(resource);
    if (type === 'DELETED') bucket.delete(key);
    else {
      metaOf(object).resourceVersion = String(this.revision);
      bucket.set(key, object);
    }
    const event: StoreEvent = { type, storageKey: resource.storageKey, resourceVersion: this.revision, object: cloneJson(object) };
    if (type === 'DELETED') metaOf(event.object).resourceVersion = String(this.revision);
    if (previous !== undefined) event.previous = cloneJson(previous);
    this.history.record(event);
  }

  private bucket(resource: ResourceType): Map<string, JsonObject> {
    let bucket = this.objects.get(resource.storageKey);
    if (bucket === undefined) this.objects.set(resource.storageKey, (bucket = new Map()));
    return bucket;
  }

  /** A copy of a stored object as served at the requested version. */
  private present(resource: ResourceType, object: JsonObject): JsonObject {
    return { ...cloneJson(object), apiVersion: apiVersionOf(resource) };
  }
}
