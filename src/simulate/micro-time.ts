import { isJsonObject, type JsonObject } from './json.js';
import { kubeErrors } from './kube-status.js';
import type { ResourceType } from './resource-registry.js';

/**
 * `metav1.MicroTime` fields, which the API server parses with exactly six fractional digits
 * (RFC3339Micro): a plain `Date` sent as `…:05.000Z` is refused, so clients must use
 * client-node's `V1MicroTime`.
 */
const MICRO_TIME_FIELDS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  'leases.coordination.k8s.io': [
    ['spec', 'acquireTime'],
    ['spec', 'renewTime'],
  ],
  'events.': [['eventTime'], ['series', 'lastObservedTime']],
  'events.events.k8s.io': [['eventTime'], ['series', 'lastObservedTime']],
};

const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

function valueAt(object: JsonObject, path: readonly string[]): unknown {
  let current: unknown = object;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

export function validateMicroTimes(resource: ResourceType, object: JsonObject): void {
  for (const path of MICRO_TIME_FIELDS[resource.storageKey] ?? []) {
    const value = valueAt(object, path);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !RFC3339_MICRO.test(value)) {
      throw kubeErrors.badRequest(
        `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00" (${path.join('.')})`,
      );
    }
  }
}
