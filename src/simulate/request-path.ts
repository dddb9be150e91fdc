import { findResourceType, type ResourceType } from './resource-registry.js';

/** A REST path resolved to a served resource. */
export interface ResourcePath {
  resource: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
}

function groupVersionAndRest(segments: string[]): [string, string, string[]] | undefined {
  if (segments[0] === 'api' && segments[1] !== undefined) return ['', segments[1], segments.slice(2)];
  if (segments[0] === 'apis' && segments[1] !== undefined && segments[2] !== undefined) return [segments[1], segments[2], segments.slice(3)];
  return undefined;
}

/**
 * Resolves `/api/v1/namespaces/{ns}/{plural}/{name}/status`,
 * `/apis/{group}/{version}/{plural}` and the like; undefined for anything else.
 */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return undefined; // malformed percent-encoding
  }
  const parsed = groupVersionAndRest(segments);
  if (parsed === undefined) return undefined;
  const [group, version, rest] = parsed;
  const namespacedType = rest[0] === 'namespaces' && rest[2] !== undefined ? findResourceType(group, version, rest[2]) : undefined;
  if (namespacedType?.namespaced) return resolved(namespacedType, rest[1], rest.slice(3));
  const clusterType = rest[0] === undefined ? undefined : findResourceType(group, version, rest[0]);
  if (clusterType === undefined) return undefined;
  return resolved(clusterType, undefined, rest.slice(1));
}

function resolved(resource: ResourceType, namespace: string | undefined, tail: string[]): ResourcePath | undefined {
  if (tail.length > 2 || (tail[1] !== undefined && (tail[1] !== 'status' || !resource.hasStatus))) return undefined;
  if (!resource.namespaced && namespace !== undefined) return undefined;
  return { resource, namespace, name: tail[0], subresource: tail[1] === 'status' ? 'status' : undefined };
}
