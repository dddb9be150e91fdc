import type { JsonObject } from './json.js';
import { KubeApiError } from './kube-status.js';

/** A `?fieldSelector=` term; only `metadata.name` and `metadata.namespace` are supported. */
export interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  equals: boolean;
  value: string;
}

const TERM = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)$/;

export function parseFieldSelector(selector: string | undefined): FieldRequirement[] {
  if (selector === undefined || selector.trim() === '') return [];
  return selector.split(',').map((term) => {
    const m = TERM.exec(term.trim());
    if (!m) throw new KubeApiError(400, 'BadRequest', `field label not supported: ${term.trim()}`);
    return { field: m[1] as FieldRequirement['field'], equals: m[2] !== '!=', value: (m[3] as string).trim() };
  });
}

export function matchesFields(object: JsonObject, requirements: readonly FieldRequirement[]): boolean {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return requirements.every((req) => {
    const actual = req.field === 'metadata.name' ? metadata.name : metadata.namespace;
    return (actual === req.value) === req.equals;
  });
}
