import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  generatePrometheusRules, loadSloSpecs, promDuration, renderRuleFile, type AlertingRule, type AlertMode, type GeneratedRules, type RecordingRule, type Slo,
} from '../../../src/domain/slo/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/slo-rules');
const NOW = Date.UTC(2025, 1, 10, 12); // in February: calendar rules must not depend on the month's length
const load = (name: string, text: string): Slo[] => loadSloSpecs([{ name, text }], NOW);
const loadFixture = (file: string): Slo[] => load(file, readFileSync(join(FIXTURES, file), 'utf8'));
const rulesOf = (slos: Slo[], mode: AlertMode = 'tiered'): GeneratedRules => generatePrometheusRules(slos, { mode });
const recordings = (r: GeneratedRules): RecordingRule[] => r.groups.flatMap((g) => g.rules).filter((x): x is RecordingRule => 'record' in x);
const alerts = (r: GeneratedRules): AlertingRule[] => r.groups.flatMap((g) => g.rules).filter((x): x is AlertingRule => 'alert' in x);

/** Golden files: UPDATE_GOLDEN=1 npx vitest run test/domain/slo/prometheus-rules.test.ts rewrites them after a deliberate change. */
function expectGolden(name: string, actual: string): void {
  const path = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const inputs = readdirSync(FIXTURES).filter((f) => f.startsWith('in-')).sort();

describe('generated rule files match their golden files (in-*.yaml → out-*.<mode>.yaml)', () => {
  test.each(inputs.flatMap((input) => (['tiered', 'sloth'] as const).map((mode) => [input, mode] as const)))(
    'generating %s in %s mode gives the golden rule file',
    (input, mode) => {
      expectGolden(input.replace(/^in-/, 'out-').replace(/\.yaml$/, `.${mode}.yaml`), renderRuleFile(rulesOf(loadFixture(input), mode)));
    },
  );
});

/**
 * What Sloth documents for its getting-started example (examples/_gen/getting-started.yml): the SLI
 * windows it records, and per alert the (short window, long window, factor) pairs compared with
 * factor × error budget, the budget being 1 − 0.999 (Sloth prints 0.0009999999999999432).
 */
const SLOTH_DOCUMENTED = {
  windows: ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'],
  errorBudget: 0.0009999999999999432,
  alerts: [
    {
      name: 'MyServiceHighErrorRate',
      pairs: [['5m', '1h', 14.4], ['30m', '6h', 6]],
      labels: { category: 'availability', routing_key: 'myteam', severity: 'pageteam', sloth_severity: 'page' },
      annotations: { summary: "High error rate on 'myservice' requests responses", title: '(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.' },
    },
    {
      name: 'MyServiceHighErrorRate',
      pairs: [['2h', '1d', 3], ['6h', '3d', 1]],
      labels: { category: 'availability', severity: 'slack', slack_channel: '#alerts-myteam', sloth_severity: 'ticket' },
      annotations: { summary: "High error rate on 'myservice' requests responses", title: '(ticket) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.' },
    },
  ],
  recordingLabels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2', sloth_id: 'myservice-requests-availability', sloth_service: 'myservice', sloth_slo: 'requests-availability' },
};

/** (window, factor, budget) of every `ratio_rateW{…} > (factor * budget)` comparison, in order. */
function comparisons(expr: string): Array<[string, number, number]> {
  return [...expr.matchAll(/slo:sli_error:ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \* ([\d.]+)\)/g)].map((m) => [m[1] as string, Number(m[2]), Number(m[3])]);
}

describe("a Sloth spec gives the alerts Sloth documents for it (its getting-started example)", () => {
  const slos = loadFixture('in-sloth-getting-started.yaml');

  test('the SLI is recorded over the windows Sloth records, as slo:sli_error:ratio_rate<window> with its id labels', () => {
    const sli = recordings(rulesOf(slos)).filter((r) => r.record.startsWith('slo:sli_error:'));
    expect(sli.map((r) => r.record)).toEqual(SLOTH_DOCUMENTED.windows.map((w) => `slo:sli_error:ratio_rate${w}`));
    for (const r of sli) expect(r.labels).toEqual({ ...SLOTH_DOCUMENTED.recordingLabels, sloth_window: r.record.replace('slo:sli_error:ratio_rate', '') });
  });

  test('issue 9 point 4: in sloth mode: a page and a ticket rule with the same window pairs, factors and budget, names, labels and annotations', () => {
    const rules = alerts(rulesOf(slos, 'sloth'));
    expect(rules).toHaveLength(SLOTH_DOCUMENTED.alerts.length);
    rules.forEach((rule, i) => {
      const documented = SLOTH_DOCUMENTED.alerts[i] as (typeof SLOTH_DOCUMENTED.alerts)[number];
      const found = comparisons(rule.expr);
      expect(found.map(([w, f]) => [w, f])).toEqual(documented.pairs.flatMap(([short, long, factor]) => [[short, factor], [long, factor]]));
      for (const [, , budget] of found) expect(budget).toBeCloseTo(SLOTH_DOCUMENTED.errorBudget, 12);
      expect(rule.alert).toBe(documented.name);
      expect(rule.labels).toEqual(documented.labels);
      expect(rule.annotations).toEqual(documented.annotations);
      expect(rule.forMs).toBe(0);
    });
  });

  test('issue 9 point 4: in tiered mode: one rule per documented pair, each with the same windows and threshold factor × budget', () => {
    const rules = alerts(rulesOf(slos, 'tiered'));
    const pairs = SLOTH_DOCUMENTED.alerts.flatMap((a) => a.pairs);
    expect(rules.map((r) => [r.labels.short_window, r.labels.long_window, Number(r.labels.burn_factor)])).toEqual(pairs);
    rules.forEach((rule, i) => {
      const [short, long, factor] = pairs[i] as [string, string, number];
      const thresholds = [...rule.expr.matchAll(/ratio_rate(\w+)\{[^}]*\} >= ([\d.]+) \* \(1 - 1e-9\)/g)];
      expect(thresholds.map((m) => m[1])).toEqual([short, long]);
      for (const m of thresholds) expect(Math.abs(Number(m[2]) / (factor * SLOTH_DOCUMENTED.errorBudget) - 1)).toBeLessThan(1e-12);
      expect(rule.alert).toBe('MyServiceHighErrorRate');
    });
  });
});

describe('rule generation', () => {
  const availability = (window = '30d', extra = '') => `apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: api-availability }
spec:
  service: api
  objective: 99.9
  window: ${window}
  sli: { type: prometheus, error_query: 'sum(rate(errors_total[{{.window}}]))', total_query: 'sum(rate(requests_total[{{.window}}]))' }
${extra}`;

  test('the period ratio counts errors and totals over the whole period, not an average of 5m ratios (event-exact budget)', () => {
    const period = recordings(rulesOf(load('a.yaml', availability()))).find((r) => r.record === 'slo:sli_error:ratio_rate30d');
    expect(period?.expr).toBe('(sum(rate(errors_total[30d])))\n/\n(sum(rate(requests_total[30d])))\n');
    expect(period?.expr).not.toMatch(/sum_over_time|count_over_time/);
  });

  test('a 28-day period is named as Prometheus names it (4w), as Sloth does', () => {
    const names = recordings(rulesOf(load('a.yaml', availability('28d')))).map((r) => r.record);
    expect(names).toContain('slo:sli_error:ratio_rate4w');
    expect(names).toContain('slo:time_period:days');
  });

  test('a calendar month uses the nominal 30 days whatever the month, and says so', () => {
    const rules = rulesOf(load('a.yaml', availability('{ calendar: month, time_zone: UTC }')));
    expect(recordings(rules).find((r) => r.record === 'slo:time_period:days')?.expr).toBe('vector(30)');
    expect(alerts(rules)[0]?.labels.burn_factor).toBe('14.4');
    expect(rules.notes).toEqual(['api-availability: calendar month (UTC) uses a rolling 30d period in these rules']);
    expect(renderRuleFile(rules)).toContain('# note: api-availability: calendar month (UTC) uses a rolling 30d period in these rules');
  });

  test.each([
    ['tiered mode makes one rule per enabled tier, with its `for`', 'tiered', '', [['page-fast', 120_000], ['page-slow', 900_000], ['ticket-fast', 3_600_000], ['ticket-slow', 10_800_000]]],
    ['tiered mode leaves out the tiers of a disabled severity', 'tiered', '  alerting: { ticket: { disabled: true } }\n', [['page-fast', 120_000], ['page-slow', 900_000]]],
    ['tiered mode leaves out a disabled tier', 'tiered', '  alerting: { tiers: [{ name: page-slow, disabled: true }] }\n', [['page-fast', 120_000], ['ticket-fast', 3_600_000], ['ticket-slow', 10_800_000]]],
    ["sloth mode makes a page and a ticket rule, each waiting the quicker of its tiers' `for`", 'sloth', '', [['page', 120_000], ['ticket', 3_600_000]]],
    ['sloth mode leaves out the rule of a disabled severity', 'sloth', '  alerting: { page: { disabled: true } }\n', [['ticket', 3_600_000]]],
  ] as const)('%s', (_sentence, mode, extra, expected) => {
    const rules = alerts(rulesOf(load('a.yaml', availability('30d', extra)), mode));
    expect(rules.map((r) => [r.labels.tier ?? r.labels.sloth_severity, r.forMs])).toEqual(expected);
  });

  test('issue 9 point 4: an SLO with every alert disabled still gets its recording rules but no alert group', () => {
    const rules = rulesOf(load('a.yaml', availability('30d', '  alerting: { page: { disabled: true }, ticket: { disabled: true } }\n')));
    expect(rules.groups.map((g) => g.name)).toEqual(['mlwarden-slo-sli-recordings-api-availability', 'mlwarden-slo-meta-recordings-api-availability']);
  });

  test('a good-events query becomes 1 − good/total', () => {
    const text = availability().replace("error_query: 'sum(rate(errors_total[{{.window}}]))'", "good_query: 'sum(rate(ok_total[{{.window}}]))'");
    expect(recordings(rulesOf(load('a.yaml', text)))[0]?.expr).toBe('1 - (\n(sum(rate(ok_total[5m])))\n/\n(sum(rate(requests_total[5m])))\n)\n');
  });

  test('store SLIs get no rules and are listed as skipped with the reason', () => {
    const store = 'apiVersion: mlwarden.dev/v1\nkind: SLO\nmetadata: { name: fraud-availability }\nspec: { objective: 99.9, sli: { type: availability, model: fraud } }\n';
    const rules = rulesOf(load('s.yaml', store));
    expect(rules.groups).toEqual([]);
    expect(rules.skipped).toEqual([{ slo: 'fraud-availability', reason: 'its SLI (availability) is computed by mlwarden from the telemetry store; only prometheus SLIs become Prometheus rules' }]);
  });

  test('an SLO whose labels Prometheus would refuse is skipped, not written as a broken rule file', () => {
    const rules = rulesOf(load('a.yaml', availability().replace('metadata: { name: api-availability }', 'metadata: { name: api-availability, labels: { app.kubernetes.io/name: api } }')));
    expect(rules.skipped).toEqual([{ slo: 'api-availability', reason: '"app.kubernetes.io/name" is not a Prometheus label name' }]);
  });

  test('the same SLOs render the same bytes, with labels in sorted order', () => {
    const slos = load('a.yaml', availability());
    const text = renderRuleFile(rulesOf(slos));
    expect(renderRuleFile(rulesOf(slos))).toBe(text);
    const labels = (parse(text) as { groups: Array<{ rules: Array<{ labels?: Record<string, string> }> }> }).groups.flatMap((g) => g.rules.map((r) => Object.keys(r.labels ?? {})));
    for (const keys of labels) expect(keys).toEqual([...keys].sort());
  });

  test.each([
    [5 * 60_000, '5m'], [90 * 60_000, '1h30m'], [86_400_000, '1d'], [30 * 86_400_000, '30d'], [28 * 86_400_000, '4w'], [7 * 86_400_000, '1w'], [365 * 86_400_000, '1y'], [0, '0s'],
  ])('%i ms is written %s, as Prometheus writes durations', (ms, text) => {
    expect(promDuration(ms)).toBe(text);
  });
});
