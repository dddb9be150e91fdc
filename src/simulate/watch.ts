import type { StoreEvent } from './event-history.js';
import { matchesFields, type FieldRequirement } from './field-selector.js';
import type { JsonObject } from './json.js';
import { KubeApiError, type KubeStatus } from './kube-status.js';
import { matchesLabels, type LabelRequirement } from './label-selector.js';
import type { ObjectStore } from './object-store.js';
import { apiVersionOf, type ResourceType } from './resource-registry.js';
import { metaOf } from './write-strategy.js';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR';
  object: JsonObject | KubeStatus;
}

export interface WatchRequest {
  resource: ResourceType;
  namespace: string | undefined;
  labels: readonly LabelRequirement[];
  fields: readonly FieldRequirement[];
  /** Resume after this version; undefined or 0 starts with ADDED for every current object. */
  resourceVersion: number | undefined;
}

type Send = (event: WatchEvent) => void;

function matcher(request: WatchRequest): (object: JsonObject | undefined) => boolean {
  return (object) =>
    object !== undefined &&
    (request.namespace === undefined || metaOf(object).namespace === request.namespace) &&
    matchesLabels(metaOf(object).labels, request.labels) &&
    matchesFields(object, request.fields);
}

/**
 * What a client watching with a selector sees of one write: an object entering the selection
 * is ADDED, one leaving it is DELETED, as the API server's watch cache reports them.
 */
export function toWatchEvent(request: WatchRequest, event: StoreEvent): WatchEvent | undefined {
  if (event.storageKey !== request.resource.storageKey) return undefined;
  const matches = matcher(request);
  const was = event.type !== 'ADDED' && matches(event.previous);
  const is = event.type !== 'DELETED' && matches(event.object);
  const object = { ...event.object, apiVersion: apiVersionOf(request.resource) };
  if (event.type === 'DELETED') return was ? { type: 'DELETED', object } : undefined;
  if (is) return { type: was ? 'MODIFIED' : 'ADDED', object };
  return was ? { type: 'DELETED', object } : undefined;
}

/**
 * Replays what the client missed, then forwards live writes, until the returned stop is called.
 * A resourceVersion older than the kept history yields one ERROR event (Status 410 Expired)
 * and returns undefined, as the real API server does on a watch.
 */
export function startWatch(store: ObjectStore, request: WatchRequest, send: Send): (() => void) | undefined {
  let replay: WatchEvent[];
  try {
    replay =
      request.resourceVersion === undefined || request.resourceVersion === 0
        ? store.list(request.resource, request.namespace).filter(matcher(request)).map((object) => ({ type: 'ADDED', object }))
        : store.eventsSince(request.resourceVersion).flatMap((e) => toWatchEvent(request, e) ?? []);
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    send({ type: 'ERROR', object: error.toStatus() });
    return undefined;
  }
  for (const event of replay) send(event);
  return store.subscribe((event) => {
    const out = toWatchEvent(request, event);
    if (out !== undefined) send(out);
  });
}
