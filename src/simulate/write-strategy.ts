import { randomBytes, randomUUID } from 'node:crypto';
import { cloneJson, isJsonObject, jsonEqual, type JsonObject } from './json.js';
import { kubeErrors } from './kube-status.js';
import { validateMicroTimes } from './micro-time.js';
import { apiVersionOf, type ResourceType } from './resource-registry.js';

/** The metadata fields the server reads or sets. */
export interface ObjectMeta extends JsonObject {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
}

export function metaOf(object: JsonObject): ObjectMeta {
  if (!isJsonObject(object.metadata)) object.metadata = {};
  return object.metadata as ObjectMeta;
}

/** RFC 3339 at second precision, as `metav1.Time` serialises. */
export function kubeTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A body's apiVersion and kind, when given, must be the resource's. */
function validateTypeMeta(resource: ResourceType, object: JsonObject): void {
  if (object.kind !== undefined && object.kind !== resource.kind) {
    throw kubeErrors.badRequest(`the kind of the object (${String(object.kind)}) does not match the resource (${resource.kind})`);
  }
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(resource)) {
    throw kubeErrors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(resource)})`);
  }
}

/** Checks what every created kind must satisfy: its namespace, time formats and a valid name. */
function validateIdentity(resource: ResourceType, object: JsonObject, namespace: string | undefined, name: string): void {
  validateMicroTimes(resource, object);
  const meta = metaOf(object);
  if (resource.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
    throw kubeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw kubeErrors.invalid(resource, name, `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
  }
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specPart(object: JsonObject): JsonObject {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

function withTypeMeta(resource: ResourceType, object: JsonObject): JsonObject {
  return { ...object, apiVersion: apiVersionOf(resource), kind: resource.kind };
}

/**
 * The object to store on create: server-set uid, timestamp, generation, and no status for kinds
 * with a status subresource (as the real strategies reset it); the caller sets resourceVersion.
 */
export function prepareForCreate(resource: ResourceType, input: JsonObject, namespace: string | undefined, now: Date): JsonObject {
  validateTypeMeta(resource, input);
  const object = withTypeMeta(resource, cloneJson(input));
  const meta = metaOf(object);
  if (meta.name === undefined || meta.name === '') {
    if (meta.generateName === undefined || meta.generateName === '') {
      throw kubeErrors.invalid(resource, '', 'metadata.name: Required value: name or generateName is required');
    }
    meta.name = `${meta.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
  }
  validateIdentity(resource, object, namespace, meta.name);
  if (resource.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  meta.uid = randomUUID();
  meta.creationTimestamp = kubeTimestamp(now);
  meta.generation = 1;
  delete meta.resourceVersion;
  if (resource.hasStatus) delete object.status; // status is written through /status only
  return object;
}

/**
 * The object to store on update. A main-resource write keeps the stored status (for kinds
 * with a status subresource); a status write keeps everything but status.
 */
export function prepareForUpdate(
  resource: ResourceType,
  stored: JsonObject,
  input: JsonObject,
  subresource: 'status' | undefined,
): JsonObject {
  validateTypeMeta(resource, input);
  const incoming = withTypeMeta(resource, cloneJson(input));
  validateMicroTimes(resource, incoming);
  let next: JsonObject;
  if (subresource === 'status') {
    next = { ...cloneJson(stored), status: incoming.status };
  } else {
    next = incoming;
    if (resource.hasStatus) next.status = cloneJson(stored.status);
  }
  const meta = metaOf(next);
  const storedMeta = metaOf(stored);
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'resourceVersion'] as const) {
    if (storedMeta[key] === undefined) delete meta[key];
    else meta[key] = storedMeta[key] as never;
  }
  if (next.status === undefined) delete next.status;
  if (!jsonEqual(specPart(stored), specPart(next))) meta.generation = (storedMeta.generation ?? 0) + 1;
  return next;
}
