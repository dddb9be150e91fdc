/**
 * Checks a manifest against @kubernetes/client-node's generated models: every field must be one the
 * model declares (attributeTypeMap), with a value of the declared type, all the way down.
 */
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
}
type Model = { getAttributeTypeMap?: () => Attribute[] };

/** Built-in kinds the chart may render: apiVersion → kind → model. */
const MODELS: Record<string, Record<string, string>> = {
  v1: { ConfigMap: 'V1ConfigMap', Service: 'V1Service', ServiceAccount: 'V1ServiceAccount', PersistentVolumeClaim: 'V1PersistentVolumeClaim' },
  'apps/v1': { Deployment: 'V1Deployment', DaemonSet: 'V1DaemonSet' },
  'networking.k8s.io/v1': { Ingress: 'V1Ingress' },
  'policy/v1': { PodDisruptionBudget: 'V1PodDisruptionBudget' },
  'rbac.authorization.k8s.io/v1': { ClusterRole: 'V1ClusterRole', ClusterRoleBinding: 'V1ClusterRoleBinding', Role: 'V1Role', RoleBinding: 'V1RoleBinding' },
};

export const modelFor = (apiVersion: string, kind: string): string | undefined => MODELS[apiVersion]?.[kind];

const models = k8s as unknown as Record<string, Model | undefined>;

export function shapeErrors(value: unknown, type: string, path = ''): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => shapeErrors(v, array[1]!, `${path}[${i}]`)) : [`${path} must be a list`];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path} must be a mapping`];
    return Object.entries(value).flatMap(([k, v]) => shapeErrors(v, map[1]!, `${path}.${k}`));
  }
  switch (type) {
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${path} must be a string, got ${JSON.stringify(value)}`];
    case 'number':
    case 'boolean':
      return typeof value === type ? [] : [`${path} must be a ${type}, got ${JSON.stringify(value)}`];
    case 'IntOrString':
      return typeof value === 'string' || Number.isInteger(value) ? [] : [`${path} must be an integer or a string`];
    case 'any':
    case 'object':
      return [];
  }
  const attributes = models[type]?.getAttributeTypeMap?.();
  if (!attributes) throw new Error(`no model ${type} in @kubernetes/client-node`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path} must be a mapping (${type})`];
  const byName = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const declared = byName.get(k);
    return declared === undefined ? [`${path}.${k} is not a field of ${type}`] : shapeErrors(v, declared, `${path}.${k}`);
  });
}
