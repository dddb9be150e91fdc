import { RESOURCE_TYPES, servedGroupVersions } from './resource-registry.js';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** `GET /api/{version}` and `/apis/{group}/{version}`: an APIResourceList, or undefined if not served. */
export function apiResourceList(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: types.flatMap((r) => [
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: VERBS },
      ...(r.hasStatus ? [{ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ]),
  };
}

/** `GET /api`: the core group's versions. */
export function coreApiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

/** `GET /apis`: every named group served. */
export function apiGroupList(): object {
  const groups = new Map<string, string[]>();
  for (const [group, version] of servedGroupVersions()) {
    if (group !== '') groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[versions.length - 1] as string}`, version: versions[versions.length - 1] },
    })),
  };
}
