import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import { kubeErrors } from './kube-status.js';

/**
 * Merge keys of the built-in list fields served here (from the Kubernetes API's
 * `patchMergeKey` tags). A list not named here is replaced whole, as in the real API.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

/** Lists of scalars merged as sets (`patchStrategy:"merge"` on a primitive list). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

function mergeKeyedList(original: JsonValue[], patch: JsonValue[], mergeKey: string): JsonValue[] {
  if (patch.some((item) => isJsonObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item.$patch === 'replace')).map(cloneJson);
  }
  const result = original.map(cloneJson);
  for (const item of patch) {
    if (!isJsonObject(item) || item[mergeKey] === undefined) {
      throw kubeErrors.badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const index = result.findIndex((o) => isJsonObject(o) && jsonEqual(o[mergeKey], item[mergeKey]));
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = applyStrategicMergePatch(result[index] as JsonObject, item);
    else result.push(applyStrategicMergePatch({}, item));
  }
  return result;
}

function mergeField(key: string, original: JsonValue | undefined, patch: JsonValue): JsonValue {
  const mergeKey = MERGE_KEYS[key];
  if (mergeKey !== undefined && Array.isArray(patch)) return mergeKeyedList(Array.isArray(original) ? original : [], patch, mergeKey);
  if (MERGED_PRIMITIVE_LISTS.has(key) && Array.isArray(patch)) {
    const base = Array.isArray(original) ? original.map(cloneJson) : [];
    return [...base, ...patch.filter((v) => !base.some((b) => jsonEqual(b, v)))];
  }
  if (isJsonObject(patch)) return applyStrategicMergePatch(isJsonObject(original) ? original : {}, patch);
  return cloneJson(patch);
}

/**
 * Strategic merge patch for built-in kinds: like a merge patch, except that lists with a merge
 * key (containers by name, …) merge element by element, and the `$patch` (replace / delete)
 * and `$deleteFromPrimitiveList` directives apply. `$setElementOrder` and `$retainKeys` are
 * accepted and ignored.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject): JsonObject {
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return cloneJson(rest);
  }
  const result: JsonObject = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((v) => !value.some((d) => jsonEqual(d, v)));
      continue;
    }
    if (value === null || (isJsonObject(value) && value.$patch === 'delete')) delete result[key];
    else result[key] = mergeField(key, result[key], value);
  }
  return result;
}
