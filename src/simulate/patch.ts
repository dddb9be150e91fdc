import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { kubeErrors } from './kube-status.js';
import { applyMergePatch } from './merge-patch.js';
import type { ResourceType } from './resource-registry.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

const ACCEPTED_FOR_CUSTOM = [JSON_PATCH, MERGE_PATCH, 'application/apply-patch+yaml'];
const ACCEPTED_FOR_BUILT_IN = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, 'application/apply-patch+yaml'];

function applyJsonPatch(original: JsonObject, operations: JsonValue): JsonObject {
  if (!Array.isArray(operations)) throw kubeErrors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    const result = jsonPatch.applyPatch(cloneJson(original), operations as unknown as Operation[], true, true, true).newDocument;
    if (!isJsonObject(result)) throw kubeErrors.unprocessable('the patch replaced the whole object with a non-object');
    return result;
  } catch (error) {
    if (error instanceof jsonPatch.JsonPatchError) {
      const message = error.name === 'TEST_OPERATION_FAILED' ? 'the test operation failed' : error.message.split('\n')[0];
      throw kubeErrors.unprocessable(`${message} (operation ${String(error.index)})`);
    }
    throw error;
  }
}

/**
 * Applies a PATCH body of the given content type to the stored object, as the API server does
 * before running the result through update. Strategic merge is refused (415) for custom resources.
 */
export function applyPatch(resource: ResourceType, contentType: string, original: JsonObject, patch: JsonValue): JsonObject {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === JSON_PATCH) return applyJsonPatch(original, patch);
  if (!isJsonObject(patch) && (mediaType === MERGE_PATCH || (mediaType === STRATEGIC_MERGE_PATCH && resource.builtIn))) {
    throw kubeErrors.badRequest('the patch must be a JSON object');
  }
  if (mediaType === MERGE_PATCH) return applyMergePatch(original, patch) as JsonObject;
  if (mediaType === STRATEGIC_MERGE_PATCH && resource.builtIn) return applyStrategicMergePatch(original, patch as JsonObject);
  throw kubeErrors.unsupportedMediaType(mediaType, resource.builtIn ? ACCEPTED_FOR_BUILT_IN : ACCEPTED_FOR_CUSTOM);
}
