import type { ResourcePath } from './request-path.js';

/** One API request the emulator served, as an RBAC authorizer would see it. */
export interface AccessRecord {
  verb: string;
  group: string; // '' for core
  resource: string; // the plural
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The HTTP status answered: a refused request still needed its permission. */
  status: number;
}

/** A PolicyRule as a Role or ClusterRole lists it. */
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const isWatch = (query: URLSearchParams) => query.get('watch') === 'true' || query.get('watch') === '1';

/** The RBAC verb of a request, as the API server's RequestInfoFactory derives it. */
export function rbacVerbOf(method: string, path: ResourcePath, query: URLSearchParams): string {
  const collection = path.name === undefined;
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatch(query)) return 'watch';
      return collection ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return collection ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

export function accessRecordOf(method: string, path: ResourcePath, query: URLSearchParams, status: number): AccessRecord {
  const record: AccessRecord = { verb: rbacVerbOf(method, path, query), group: path.resource.group, resource: path.resource.plural, status };
  if (path.subresource !== undefined) record.subresource = path.subresource;
  if (path.namespace !== undefined) record.namespace = path.namespace;
  if (path.name !== undefined) record.name = path.name;
  return record;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every resource request the emulator served, in order, so tests can derive the least RBAC
 * the code under test really needs instead of guessing it.
 */
export class AccessLog {
  private readonly entries: AccessRecord[] = [];

  record(entry: AccessRecord): void {
    this.entries.push(entry);
  }

  records(): AccessRecord[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** One rule per group and resource (or resource/subresource), verbs sorted, rules sorted by group then resource. */
  rbacRules(): RbacRule[] {
    const verbs = new Map<string, { group: string; resource: string; verbs: Set<string> }>();
    for (const e of this.entries) {
      const resource = e.subresource === undefined ? e.resource : `${e.resource}/${e.subresource}`;
      const key = `${e.group} ${resource}`;
      const rule = verbs.get(key) ?? { group: e.group, resource, verbs: new Set<string>() };
      rule.verbs.add(e.verb);
      verbs.set(key, rule);
    }
    return [...verbs.values()]
      .sort((a, b) => byText(a.group, b.group) || byText(a.resource, b.resource))
      .map((r) => ({ apiGroups: [r.group], resources: [r.resource], verbs: [...r.verbs].sort(byText) }));
  }
}
