import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { CLICKHOUSE_PLUGIN } from '../../dashboards/clickhouse-query.js';
import { DASHBOARD_NAMES, querySites, type QuerySite } from './dashboard-queries.js';
import { RANGE, SEEDED, seedDashboardData } from './dashboard-seed.js';
import { ALL, renderClickHouseSql, type MacroContext } from './grafana-macros.js';

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
  await seedDashboardData(t);
}, 60_000);
afterAll(() => t.close());

const seededValues = Object.fromEntries(Object.entries(SEEDED).map(([k, v]) => [k, [v]]));
const base = { ...RANGE, intervalSeconds: 300 };
const CONTEXTS: [string, MacroContext][] = [
  ['the seeded values selected', { ...base, variables: { ...seededValues, database: ['mlwarden'], gpu_hour_usd: ['2.5'] } }],
  ['"All" selected', { ...base, variables: { ...seededValues, namespace: ALL, version: ALL, slo: ALL, database: ['mlwarden'], gpu_hour_usd: ['2.5'] } }],
];

const sites = DASHBOARD_NAMES.flatMap(querySites).filter((s) => s.target.datasource.type === CLICKHOUSE_PLUGIN);

interface Result {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

const NUMERIC = /^(Nullable\()?(U?Int|Float|Decimal)/;
const TIME = /^(Nullable\()?DateTime/;

/** What the panel, annotation or variable needs from the result. */
function expectShape(site: QuerySite, { meta, data }: Result): void {
  const names = meta.map((c) => c.name);
  const numeric = meta.filter((c) => NUMERIC.test(c.type));
  expect(data.length, 'rows').toBeGreaterThan(0);
  if (site.kind === 'variable') return expect(names).toHaveLength(1);
  if (site.kind === 'annotation') return expect(names).toEqual(expect.arrayContaining(['time', 'text']));
  const organize = site.panel?.transformations?.find((x) => x.id === 'organize')?.options.indexByName;
  if (site.panel?.type === 'table') return expect(names).toEqual(Object.keys(organize ?? {}));
  expect(numeric.length, 'numeric columns').toBeGreaterThan(0);
  if (site.target.format === 0) {
    expect(meta[0]?.name).toBe('time');
    expect(meta[0]?.type).toMatch(TIME);
  }
}

describe.each(CONTEXTS)('Dashboard ClickHouse queries with %s', (_, ctx) => {
  it('there are queries to check', () => expect(sites.length).toBeGreaterThan(30));

  it.each(sites.map((s) => [s.where, s] as const))('%s runs and returns what its panel reads', async (_where, site) => {
    const sql = renderClickHouseSql(site.target.rawSql ?? '', ctx, seededValues);
    expect(sql).not.toContain('$');
    const result = await t.store.client.query({ query: sql, format: 'JSON' });
    expectShape(site, await result.json<Result>() as unknown as Result);
  });
});
