import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS } from '../../dashboards/dashboards.js';

export const JSON_DIR = join(import.meta.dirname, '../../dashboards/json');
export const DASHBOARD_NAMES = Object.keys(DASHBOARDS) as (keyof typeof DASHBOARDS)[];

export interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  rawSql?: string;
  format?: number;
  expr?: string;
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  targets?: Target[];
  transformations?: { id: string; options: { indexByName?: Record<string, number> } }[];
  fieldConfig?: { defaults: { unit?: string; thresholds?: { steps: unknown[] } } };
}

export interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: { name: string; type: string; query?: unknown; datasource?: { type: string } }[] };
  annotations: { list?: { name: string; target?: Target }[] };
}

/** A dashboard as checked in (what Grafana imports). */
export const readDashboard = (name: string): DashboardJson => JSON.parse(readFileSync(join(JSON_DIR, `${name}.json`), 'utf8')) as DashboardJson;

/** Where a query lives, for test names. */
export interface QuerySite {
  where: string;
  /** The panel it feeds; undefined for variables and annotations. */
  panel?: PanelJson;
  kind: 'panel' | 'variable' | 'annotation';
  target: Target;
}

/** Every query of a dashboard: panel targets, annotation targets, and query variables (as targets). */
export function querySites(name: string): QuerySite[] {
  const d = readDashboard(name);
  const panels = d.panels.filter((p) => p.type !== 'row').flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `${name} › ${panel.title} › ${target.refId}`, panel, kind: 'panel' as const, target })));
  const annotations = (d.annotations.list ?? []).flatMap((a) =>
    a.target ? [{ where: `${name} › annotation ${a.name}`, kind: 'annotation' as const, target: a.target }] : []);
  const variables = d.templating.list.flatMap((v) => {
    if (v.type !== 'query' || typeof v.query !== 'string' || !v.datasource) return [];
    const target: Target = { refId: v.name, datasource: { type: v.datasource.type, uid: '' }, ...(v.datasource.type === 'prometheus' ? { expr: v.query } : { rawSql: v.query }) };
    return [{ where: `${name} › variable ${v.name}`, kind: 'variable' as const, target }];
  });
  return [...panels, ...annotations, ...variables];
}
