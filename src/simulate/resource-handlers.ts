import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { kubeErrors } from './kube-status.js';
import { matchesFields, parseFieldSelector } from './field-selector.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';
import type { ObjectStore } from './object-store.js';
import { applyPatch } from './patch.js';
import type { ResourcePath } from './request-path.js';
import { apiVersionOf } from './resource-registry.js';
import { metaOf } from './write-strategy.js';
import type { WatchRequest } from './watch.js';

/** What the HTTP layer hands to a verb handler. */
export interface ResourceRequest {
  path: ResourcePath;
  query: URLSearchParams;
  contentType: string;
  body: JsonValue | undefined;
}

export interface HandlerResult {
  status: number;
  body: object;
}

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) if (value !== 'All') throw kubeErrors.badRequest(`Invalid dry run value: "${value}", supported: All`);
  return values.length > 0;
}

function requireObjectBody(body: JsonValue | undefined): JsonObject {
  if (!isJsonObject(body)) throw kubeErrors.badRequest('the request body must be a JSON object');
  return body;
}

function requireName(path: ResourcePath): string {
  if (path.name === undefined) throw kubeErrors.methodNotAllowed('collection');
  return path.name;
}

export function watchRequestOf(path: ResourcePath, query: URLSearchParams): WatchRequest {
  const rv = query.get('resourceVersion');
  const resourceVersion = rv === null || rv === '' ? undefined : Number(rv);
  if (resourceVersion !== undefined && !Number.isInteger(resourceVersion)) throw kubeErrors.badRequest(`invalid resource version: ${rv}`);
  return {
    resource: path.resource,
    namespace: path.namespace,
    labels: parseLabelSelector(query.get('labelSelector') ?? undefined),
    fields: parseFieldSelector(query.get('fieldSelector') ?? undefined),
    resourceVersion,
  };
}

export function handleGet(store: ObjectStore, { path, query }: ResourceRequest): HandlerResult {
  if (path.name !== undefined) return { status: 200, body: store.get(path.resource, path.namespace, path.name) };
  const { labels, fields } = watchRequestOf(path, query);
  const items = store
    .list(path.resource, path.namespace)
    .filter((o) => matchesLabels(metaOf(o).labels, labels) && matchesFields(o, fields));
  return {
    status: 200,
    body: {
      apiVersion: apiVersionOf(path.resource),
      kind: `${path.resource.kind}List`,
      metadata: { resourceVersion: String(store.resourceVersion) },
      items,
    },
  };
}

export function handleCreate(store: ObjectStore, { path, query, body }: ResourceRequest): HandlerResult {
  if (path.name !== undefined) throw kubeErrors.methodNotAllowed('POST');
  return { status: 201, body: store.create(path.resource, path.namespace, requireObjectBody(body), { dryRun: isDryRun(query) }) };
}

/** PUT. Custom resources, unlike most built-ins, refuse an update without a resourceVersion. */
export function handleUpdate(store: ObjectStore, { path, query, body }: ResourceRequest): HandlerResult {
  const name = requireName(path);
  const object = requireObjectBody(body);
  const resourceVersion = metaOf(object).resourceVersion;
  if (!path.resource.builtIn && (resourceVersion === undefined || resourceVersion === '')) {
    throw kubeErrors.invalid(path.resource, name, 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  }
  const options = { dryRun: isDryRun(query), subresource: path.subresource };
  return { status: 200, body: store.update(path.resource, path.namespace, name, object, options) };
}

/** Applies the patch to the stored object, then updates; a resourceVersion the patch sets is a precondition. */
export function handlePatch(store: ObjectStore, { path, query, body, contentType }: ResourceRequest): HandlerResult {
  const name = requireName(path);
  if (body === undefined) throw kubeErrors.badRequest('the patch body is empty');
  const patched = applyPatch(path.resource, contentType, store.get(path.resource, path.namespace, name), body);
  const options = { dryRun: isDryRun(query), subresource: path.subresource };
  return { status: 200, body: store.update(path.resource, path.namespace, name, patched, options) };
}

/** Pods and custom resources answer a delete with the object; other built-ins with a Status. */
export function handleDelete(store: ObjectStore, { path, query, body }: ResourceRequest): HandlerResult {
  const name = requireName(path);
  const options = isJsonObject(body) ? body : {};
  const preconditions = isJsonObject(options.preconditions) ? (options.preconditions as { resourceVersion?: string; uid?: string }) : undefined;
  const dryRun = isDryRun(query) || (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
  const deleted = store.delete(path.resource, path.namespace, name, preconditions === undefined ? { dryRun } : { dryRun, preconditions });
  if (path.resource.plural === 'pods' || !path.resource.builtIn) return { status: 200, body: deleted };
  const { group, plural } = path.resource;
  const details = { name, ...(group === '' ? {} : { group }), kind: plural, uid: metaOf(deleted).uid };
  return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details } };
}
