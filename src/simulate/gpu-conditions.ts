import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

/** A status condition as the controllers write it (extra time fields differ per kind). */
export interface Condition extends JsonObject {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export const conditionsOf = (status: JsonObject): Condition[] =>
  (Array.isArray(status.conditions) ? status.conditions : []).filter(isJsonObject) as Condition[];

/**
 * Sets a condition the way controllers do: the transition time changes only when the status
 * flips, so writing the same conditions twice leaves the object unchanged.
 */
export function setCondition(conditions: Condition[], next: Condition, at: string, timeFields: readonly string[]): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const unchanged = existing !== undefined && existing.status === next.status && existing.reason === next.reason;
  if (unchanged) return conditions;
  const times: Record<string, JsonValue> = {};
  for (const field of timeFields) times[field] = existing?.status === next.status ? (existing[field] ?? at) : at;
  const written = { ...next, ...times } as Condition;
  return existing === undefined ? [...conditions, written] : conditions.map((c) => (c === existing ? written : c));
}
