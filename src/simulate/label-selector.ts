import { KubeApiError } from './kube-status.js';

/** One requirement of a label selector (`app=web`, `tier notin (a,b)`, `!canary`). */
export interface LabelRequirement {
  key: string;
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

export type Labels = Readonly<Record<string, string>> | undefined;

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const SET_FORM = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^()]*)\)$/;
const EQUALITY_FORM = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const EXISTS_FORM = /^(!?)\s*([^\s!=(),]+)$/;

function parseRequirement(text: string): LabelRequirement {
  const set = SET_FORM.exec(text);
  if (set) {
    const values = (set[3] as string).split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key: set[1] as string, operator: set[2] as 'in' | 'notin', values };
  }
  const eq = EQUALITY_FORM.exec(text);
  if (eq) return { key: eq[1] as string, operator: eq[2] === '!=' ? '!=' : '=', values: [eq[3] as string] };
  const exists = EXISTS_FORM.exec(text);
  if (exists) return { key: exists[2] as string, operator: exists[1] === '!' ? '!exists' : 'exists', values: [] };
  throw new KubeApiError(400, 'BadRequest', `unable to parse requirement: "${text}"`);
}

/** Parses a label selector string as the API server accepts it in `?labelSelector=`. */
export function parseLabelSelector(selector: string | undefined): LabelRequirement[] {
  return selector === undefined ? [] : splitTopLevel(selector).map(parseRequirement);
}

function matchesRequirement(labels: Labels, req: LabelRequirement): boolean {
  const value = labels?.[req.key];
  switch (req.operator) {
    case '=':
      return value === req.values[0];
    case '!=':
      return value !== req.values[0];
    case 'in':
      return value !== undefined && req.values.includes(value);
    case 'notin':
      return value === undefined || !req.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
  }
}

export function matchesLabels(labels: Labels, requirements: readonly LabelRequirement[]): boolean {
  return requirements.every((req) => matchesRequirement(labels, req));
}
