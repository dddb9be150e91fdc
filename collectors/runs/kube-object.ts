/**
 * Reading untyped Kubernetes objects as they arrive from a watch or a list (JSON, camelCase):
 * every accessor tolerates a missing or mistyped field, since a collector must never throw on
 * an object it does not fully understand.
 */
export type KubeObject = Record<string, unknown>;

export const objectAt = (value: unknown): KubeObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as KubeObject) : {};

export const listAt = (value: unknown): KubeObject[] => (Array.isArray(value) ? value.map(objectAt) : []);

export const stringAt = (value: unknown): string => (typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : '');

export const numberAt = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

export const metadataOf = (object: KubeObject): KubeObject => objectAt(object.metadata);
export const uidOf = (object: KubeObject): string => stringAt(metadataOf(object).uid);
export const namespaceOf = (object: KubeObject): string => stringAt(metadataOf(object).namespace);
export const resourceVersionOf = (object: KubeObject): string => stringAt(metadataOf(object).resourceVersion);

export function labelsOf(object: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(objectAt(metadataOf(object).labels))) if (typeof value === 'string') labels[key] = value;
  return labels;
}

/** An RFC 3339 time (or a Date from a typed client) as epoch ms; null when absent or unreadable. */
export function timeAt(value: unknown): number | null {
  const text = stringAt(value);
  if (text === '') return null;
  const ms = Date.parse(text);
  // Some APIs (KFP) report "not yet" as the zero time.
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  at: number | null;
}

export function conditionsOf(status: KubeObject): Condition[] {
  return listAt(status.conditions).map((c) => ({
    type: stringAt(c.type),
    status: stringAt(c.status),
    reason: stringAt(c.reason),
    message: stringAt(c.message),
    at: timeAt(c.lastTransitionTime) ?? timeAt(c.lastUpdateTime),
  }));
}

export const trueCondition = (conditions: Condition[], type: string): Condition | undefined =>
  conditions.find((c) => c.type === type && c.status === 'True');

/** The uid of the object's controlling owner (a Pod's Job or PyTorchJob). */
export function controllerUidOf(object: KubeObject): string {
  const owners = listAt(metadataOf(object).ownerReferences);
  return stringAt((owners.find((o) => o.controller === true) ?? owners[0])?.uid);
}
