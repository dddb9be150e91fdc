import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { DASHBOARD_NAMES, querySites } from './dashboard-queries.js';
import { baseMetric, exportedMetricNames } from './exported-metrics.js';

let t: TestStore;
let exported: Set<string>;
beforeAll(async () => {
  t = await openTestStore();
  exported = await exportedMetricNames(t);
}, 60_000);
afterAll(() => t.close());

/** Grafana's range variables, which PromQL cannot parse until Grafana fills them in. */
const withRanges = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h');

/** Parses the expression; fails on any error node; returns the metric names it selects. */
function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.to + 10))}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  expect(errors, expr).toEqual([]);
  return names;
}

const sites = DASHBOARD_NAMES.flatMap(querySites).filter((s) => s.target.datasource.type === 'prometheus');
const panelSites = sites.filter((s) => s.kind !== 'variable');
const variableSites = sites.filter((s) => s.kind === 'variable');

describe('Dashboard PromQL', () => {
  it('the exported names include every component\'s metrics', () => {
    for (const name of ['mlwarden_ingest_rows_total', 'mlwarden_slo_burn_rate', 'mlwarden_drift_psi', 'mlwarden_policy_actions_in_flight', 'mlwarden_collector_lag_seconds', 'mlwarden_gpu_cost_usd']) {
      expect(exported).toContain(name);
    }
  });

  it('catches a metric mlwarden does not export', () => {
    expect(selectedMetrics('rate(mlwarden_made_up_total[5m])').map(baseMetric).filter((m) => !exported.has(m))).toEqual(['mlwarden_made_up_total']);
  });

  it('fails on an expression that does not parse', () => {
    expect(() => selectedMetrics('sum(rate(mlwarden_ingest_rows_total[5m])')).toThrow();
  });

  it.each(panelSites.map((s) => [s.where, s.target.expr ?? ''] as const))('%s parses and selects only exported metrics', (_where, expr) => {
    const metrics = selectedMetrics(withRanges(expr));
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics.map(baseMetric).filter((m) => !exported.has(m))).toEqual([]);
  });

  it.each(variableSites.map((s) => [s.where, s.target.expr ?? ''] as const))('%s lists label values of an exported metric', (_where, query) => {
    const metric = /^label_values\((\w+),\s*\w+\)$/.exec(query)?.[1];
    expect(metric && exported.has(metric), query).toBe(true);
  });
});
