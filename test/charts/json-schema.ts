/**
 * The draft-07 keywords values.schema.json uses, with their JSON Schema meaning (no validator is
 * installed). A keyword outside this set throws, so the schema cannot rely on one left unchecked.
 * `format: uri` is checked as RFC 3986 characters with a scheme that WHATWG URL also parses.
 */
type Schema = boolean | { [keyword: string]: unknown };
export interface SchemaError {
  path: string;
  message: string;
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples', 'definitions']);
const KEYWORDS = new Set([
  ...ANNOTATIONS, 'type', 'properties', 'additionalProperties', 'required', 'items', 'enum', 'const', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'minItems', 'pattern', 'propertyNames', 'format', 'allOf', 'anyOf',
  'if', 'then', 'else', 'not', '$ref',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const hasType = (value: unknown, type: string): boolean => typeOf(value) === type || (type === 'number' && typeOf(value) === 'integer');

function isUri(value: string): boolean {
  try {
    return /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i.test(value) && new URL(value).protocol !== '';
  } catch {
    return false;
  }
}

export function validate(root: Schema, value: unknown): SchemaError[] {
  const resolve = (ref: string): Schema => {
    const match = /^#\/definitions\/(.+)$/.exec(ref);
    const target = match && isObject(root) && isObject(root.definitions) ? root.definitions[match[1]!] : undefined;
    if (target === undefined) throw new Error(`unsupported $ref ${ref}`);
    return target as Schema;
  };

  const check = (schema: Schema, v: unknown, path: string): SchemaError[] => {
    if (schema === true) return [];
    if (schema === false) return [{ path, message: 'is not allowed' }];
    for (const keyword of Object.keys(schema)) if (!KEYWORDS.has(keyword)) throw new Error(`json-schema.ts does not implement "${keyword}" (at ${path})`);
    if (typeof schema.$ref === 'string') return check(resolve(schema.$ref), v, path);
    const why = typeof schema.description === 'string' ? `: ${schema.description}` : '';
    const fail = (message: string): SchemaError[] => [{ path, message: message + why }];
    const s = schema as Record<string, any>;

    if (s.type !== undefined) {
      const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => hasType(v, t))) return fail(`must be ${types.join(' or ')}, got ${typeOf(v)}`);
    }
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) return fail(`must be ${JSON.stringify(s.const)}`);
    if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(v))) return fail(`must be one of ${JSON.stringify(s.enum)}`);
    if (s.not !== undefined && check(s.not, v, path).length === 0) return fail('must not be set');

    const errors: SchemaError[] = [];
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) errors.push(...fail(`must be ≥ ${s.minimum}`));
      if (s.maximum !== undefined && v > s.maximum) errors.push(...fail(`must be ≤ ${s.maximum}`));
      if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) errors.push(...fail(`must be > ${s.exclusiveMinimum}`));
      if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) errors.push(...fail(`must be < ${s.exclusiveMaximum}`));
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && [...v].length < s.minLength) errors.push(...fail(`must have at least ${s.minLength} characters`));
      if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) errors.push(...fail(`must match ${s.pattern}`));
      if (s.format === 'uri' && !isUri(v)) errors.push(...fail('must be an absolute URI'));
      else if (s.format !== undefined && s.format !== 'uri') throw new Error(`unsupported format ${s.format}`);
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) errors.push(...fail(`must have at least ${s.minItems} items`));
      if (s.items !== undefined) v.forEach((item, i) => errors.push(...check(s.items, item, `${path}[${i}]`)));
    }
    if (isObject(v)) {
      const properties: Record<string, Schema> = s.properties ?? {};
      for (const name of s.required ?? []) if (!(name in v)) errors.push({ path: `${path}.${name}`, message: 'is required' });
      for (const [name, item] of Object.entries(v)) {
        const at = `${path}.${name}`;
        if (s.propertyNames !== undefined) errors.push(...check(s.propertyNames, name, at).map((e) => ({ ...e, message: `name ${e.message}` })));
        if (name in properties) errors.push(...check(properties[name]!, item, at));
        else if (s.additionalProperties === false) errors.push({ path: at, message: 'is not a known setting' });
        else if (s.additionalProperties !== undefined) errors.push(...check(s.additionalProperties as Schema, item, at));
      }
    }
    for (const sub of s.allOf ?? []) errors.push(...check(sub, v, path));
    if (s.anyOf !== undefined && !(s.anyOf as Schema[]).some((sub) => check(sub, v, path).length === 0)) {
      errors.push(...fail(`must match one of: ${(s.anyOf as Schema[]).map((sub) => check(sub, v, path).map((e) => e.message).join(', ') || 'ok').join(' | ')}`));
    }
    if (s.if !== undefined) {
      const branch = check(s.if, v, path).length === 0 ? s.then : s.else;
      if (branch !== undefined) errors.push(...check(branch, v, path));
    }
    return errors;
  };

  return check(root, value, '');
}
