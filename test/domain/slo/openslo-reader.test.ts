import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../../src/domain/errors.js';
import { DEFAULT_TIERS, loadSloSpecs, type Slo, type SpecFile } from '../../../src/domain/slo/index.js';

const NOW = Date.UTC(2025, 0, 15, 12);
const DAY = 86_400_000;
const loadFiles = (files: SpecFile[]): Slo[] => loadSloSpecs(files, NOW);
const load = (text: string): Slo[] => loadFiles([{ name: 'o.yaml', text }]);

function problemsOf(text: string): Array<{ field: string; reason: string }> {
  try {
    load(text);
  } catch (error) {
    if (error instanceof MlwardenError) return error.problems.map((p) => ({ field: p.field, reason: p.reason }));
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

const promMetric = (query: string, indent: string) =>
  `\n${indent}metricSource:\n${indent}  type: Prometheus\n${indent}  spec:\n${indent}    query: '${query}'`;

const SLI = `apiVersion: openslo/v1
kind: SLI
metadata: { name: web-availability }
spec:
  ratioMetric:
    counter: true
    bad:${promMetric('sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', '      ')}
    total:${promMetric('sum(rate(http_requests_total[{{.window}}]))', '      ')}
`;

interface SloOptions {
  window?: string;
  method?: string;
  objectives?: string;
  indicator?: string;
  policies?: string;
}

const sloDoc = (o: SloOptions = {}) => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-availability
  labels: { team: [web, sre], tier: 1 }
spec:
  service: web
  description: Web requests without a server error.
  ${o.indicator ?? 'indicatorRef: web-availability'}
  timeWindow:
${o.window ?? '    - { duration: 28d, isRolling: true }'}
  budgetingMethod: ${o.method ?? 'Occurrences'}
  objectives:
${o.objectives ?? '    - { displayName: Good, target: 0.995 }'}
  alertPolicies: ${o.policies ?? '[]'}
`;

const POLICY = `apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: web-oncall, labels: { team: web } }
spec:
  alertWhenBreaching: true
  conditions:
    - kind: AlertCondition
      metadata: { name: fast-burn }
      spec:
        severity: critical
        condition: { kind: burnrate, op: gte, threshold: 14, lookbackWindow: 1h, alertAfter: 5m }
    - conditionRef: slow-burn
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: { name: slow-burn }
spec:
  severity: warning
  condition: { kind: burnrate, op: gte, threshold: 1, lookbackWindow: 3d, alertAfter: 1h }
`;

const docs = (...parts: string[]) => parts.join('---\n');

describe('reading OpenSLO v1', () => {
  test('an SLO referring to an SLI becomes a prometheus SLI with the SLO\'s objective and rolling window', () => {
    const [slo, ...rest] = load(docs(SLI, sloDoc()));
    expect(rest).toEqual([]);
    expect(slo).toMatchObject({
      name: 'web-availability',
      service: 'web',
      description: 'Web requests without a server error.',
      objective: 0.995,
      window: { kind: 'rolling', durationMs: 28 * DAY },
      sli: { type: 'prometheus', error_query: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', total_query: 'sum(rate(http_requests_total[{{.window}}]))' },
      labels: { team: 'web,sre', tier: '1' },
      source: { format: 'openslo', file: 'o.yaml', document: 1 },
      warnings: [],
    });
  });

  test("OpenSLO v1 cannot express multiwindow alerting, so mlwarden's tiers apply", () => {
    const [slo] = load(docs(SLI, sloDoc({ policies: '[{ alertPolicyRef: web-oncall }]' }), POLICY));
    expect(slo?.alerting.tiers).toEqual(DEFAULT_TIERS);
    expect(slo?.alerting.name).toBe('WebAvailabilitySloBurn');
  });

  test('an alert policy gives its labels, and its critical/warning conditions become the page/ticket severity labels', () => {
    const [slo] = load(docs(SLI, sloDoc({ policies: '[{ alertPolicyRef: web-oncall }]' }), POLICY));
    expect(slo?.alerting).toMatchObject({
      labels: { team: 'web' },
      page: { disabled: false, labels: { severity: 'critical' } },
      ticket: { disabled: false, labels: { severity: 'warning' } },
    });
  });

  test.each([
    ['a policy asking only for pages disables tickets', '[{ kind: AlertPolicy, metadata: { name: p }, spec: { conditions: [{ kind: AlertCondition, metadata: { name: c }, spec: { severity: page } }] } }]',
      (s: Slo) => expect([s.alerting.page, s.alerting.ticket].map((r) => [r.disabled, r.labels])).toEqual([[false, {}], [true, {}]])],
    ['an unknown severity keeps both page and ticket alerts and says so', '[{ kind: AlertPolicy, metadata: { name: p }, spec: { conditions: [{ kind: AlertCondition, metadata: { name: c }, spec: { severity: sev2 } }] } }]',
      (s: Slo) => expect([s.alerting.page.disabled, s.alerting.ticket.disabled, s.warnings]).toEqual([false, false, ['o.yaml#1: alert severities sev2 are not page/critical or ticket/warning; both page and ticket alerts are generated']])],
    ['a policy named by a plain string (early OpenSLO v1) is found too', '[web-oncall]',
      (s: Slo) => expect(s.alerting.labels).toEqual({ team: 'web' })],
  ])('%s', (_sentence, policies, check) => {
    const [slo] = load(docs(SLI, sloDoc({ policies }), POLICY));
    check(slo as Slo);
  });

  test.each([
    ['a calendar month keeps its time zone', '    - { duration: 1M, isRolling: false, calendar: { startTime: "2025-01-01 00:00:00", timeZone: Europe/Berlin } }', { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }],
    ['a calendar week without a zone is in UTC', '    - { duration: 1w, isRolling: false }', { kind: 'calendar', unit: 'week', timeZone: 'UTC' }],
    ['a rolling 4 weeks is 28 days', '    - { duration: 4w, isRolling: true }', { kind: 'rolling', durationMs: 28 * DAY }],
  ])('%s', (_sentence, window, expected) => {
    expect(load(docs(SLI, sloDoc({ window })))[0]?.window).toEqual(expected);
  });

  test.each([
    ['an inline indicator with good events becomes a good query', `indicator:\n    metadata: { name: inline }\n    spec:\n      ratioMetric:\n        good:${promMetric('sum(rate(ok[{{.window}}]))', '          ')}\n        total:${promMetric('sum(rate(all[{{.window}}]))', '          ')}`,
      { type: 'prometheus', good_query: 'sum(rate(ok[{{.window}}]))', total_query: 'sum(rate(all[{{.window}}]))' }],
    ['a raw success ratio becomes a good query that already is a ratio (total 1)', `indicator:\n    spec:\n      ratioMetric:\n        rawType: success\n        raw:${promMetric('avg_over_time(up[{{.window}}])', '          ')}`,
      { type: 'prometheus', good_query: 'avg_over_time(up[{{.window}}])', total_query: '1' }],
  ])('%s', (_sentence, indicator, sli) => {
    expect(load(sloDoc({ indicator }))[0]?.sli).toEqual(sli);
  });

  test('targetPercent is read as a percentage', () => {
    expect(load(docs(SLI, sloDoc({ objectives: '    - { targetPercent: 99.9 }' })))[0]?.objective).toBe(0.999);
  });

  test('objects may come as a YAML list in one document, and from several files', () => {
    const list = `- ${SLI.replace(/\n(?=.)/g, '\n  ')}`;
    expect(load(`${list}\n- ${sloDoc().replace(/\n(?=.)/g, '\n  ')}`).map((s) => s.name)).toEqual(['web-availability']);
    expect(loadFiles([{ name: 'slo.yaml', text: sloDoc() }, { name: 'sli.yaml', text: SLI }]).map((s) => s.name)).toEqual(['web-availability']);
  });

  test('a metric source may name a Prometheus DataSource instead of giving its type', () => {
    const ds = 'apiVersion: openslo/v1\nkind: DataSource\nmetadata: { name: prom }\nspec: { type: Prometheus, connectionDetails: { url: "http://prometheus:9090" } }\n';
    const viaRef = SLI.replaceAll('type: Prometheus', 'metricSourceRef: prom');
    expect(load(docs(ds, viaRef, sloDoc()))[0]?.sli.type).toBe('prometheus');
  });
});

describe('refusing OpenSLO v1, naming file#document, path and reason', () => {
  test.each([
    ['Timeslices budgets are refused: mlwarden counts events', docs(SLI, sloDoc({ method: 'Timeslices' })), 'o.yaml#1 spec.budgetingMethod', /Timeslices budgets are not supported: mlwarden counts good and total events \(Occurrences\)/],
    ['RatioTimeslices budgets are refused too', docs(SLI, sloDoc({ method: 'RatioTimeslices' })), 'o.yaml#1 spec.budgetingMethod', /RatioTimeslices budgets are not supported/],
    ['a non-Prometheus source cannot become Prometheus rules', docs(SLI.replace('type: Prometheus', 'type: Datadog'), sloDoc()), 'o.yaml#0 spec.ratioMetric.bad.metricSource.type', /Datadog metric sources cannot become Prometheus rules/],
    ['a query without {{.window}} cannot be evaluated over the alert windows', docs(SLI.replace('[{{.window}}]))', '[5m]))'), sloDoc()), 'o.yaml#0 spec.ratioMetric.bad.metricSource.spec.query', /needs \{\{\.window\}\} where the range goes/],
    ['a threshold metric is refused', docs('apiVersion: openslo/v1\nkind: SLI\nmetadata: { name: web-availability }\nspec:\n  thresholdMetric: { metricSource: { type: Prometheus, spec: { query: q } } }\n', sloDoc()), 'o.yaml#0 spec', /only ratioMetric SLIs are imported/],
    ['an indicatorRef must name an SLI in the files given', sloDoc(), 'o.yaml#0 spec.indicatorRef', /no SLI named "web-availability" in the files given/],
    ['an alertPolicyRef must name an AlertPolicy', docs(SLI, sloDoc({ policies: '[{ alertPolicyRef: nobody }]' })), 'o.yaml#1 spec.alertPolicies.0', /no AlertPolicy named "nobody"/],
    ['an SLO has one objective', docs(SLI, sloDoc({ objectives: '    - { target: 0.99 }\n    - { target: 0.999 }' })), 'o.yaml#1 spec.objectives', /needs exactly one objective/],
    ['a target is a fraction, not a percentage', docs(SLI, sloDoc({ objectives: '    - { target: 99.9 }' })), 'o.yaml#1 spec.objectives.0.target', /fraction under 1/],
    ['a rolling month has no fixed length', docs(SLI, sloDoc({ window: '    - { duration: 1M, isRolling: true }' })), 'o.yaml#1 spec.timeWindow.0.duration', /no fixed length/],
    ['a calendar quarter is not supported', docs(SLI, sloDoc({ window: '    - { duration: 1Q, isRolling: false }' })), 'o.yaml#1 spec.timeWindow.0.duration', /calendar windows of 1Q are not supported; use 1w or 1M/],
    ['a calendar window needs a real time zone', docs(SLI, sloDoc({ window: '    - { duration: 1M, isRolling: false, calendar: { timeZone: Mars/Olympus } }' })), 'o.yaml#1 spec.timeWindow.0.calendar.timeZone', /not an IANA time zone/],
    ['an unknown kind is named', 'apiVersion: openslo/v1\nkind: Budget\nmetadata: { name: b }\nspec: {}\n', 'o.yaml#0 kind', /OpenSLO kind Budget is not read by mlwarden/],
    ['an SLI name used twice is refused', docs(SLI, SLI, sloDoc()), 'o.yaml#1 metadata.name', /SLI "web-availability" is already defined at o.yaml#0/],
    ['a problem inside a YAML list names the item', `- apiVersion: openslo/v1\n  kind: SLO\n  metadata: { name: Bad_Name }\n  spec: {}\n`, 'o.yaml#0 0.metadata.name', /lowercase DNS label/],
  ])('%s', (_sentence, text, field, reason) => {
    expect(problemsOf(text)).toContainEqual({ field, reason: expect.stringMatching(reason) });
  });
});
