import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../../src/domain/errors.js';
import { DEFAULT_TIERS, loadSloSpecs, type Slo } from '../../../src/domain/slo/index.js';

const NOW = Date.UTC(2025, 0, 15, 12);
const DAY = 86_400_000;
const load = (text: string, name = 'sloth.yaml'): Slo[] => loadSloSpecs([{ name, text }], NOW);

function problemsOf(text: string): Array<{ field: string; reason: string }> {
  try {
    load(text);
  } catch (error) {
    if (error instanceof MlwardenError) return error.problems.map((p) => ({ field: p.field, reason: p.reason }));
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

/** Sloth's examples/getting-started.yml (prometheus/v1). */
const GETTING_STARTED = `
version: "prometheus/v1"
service: "myservice"
labels:
  owner: "myteam"
  repo: "myorg/myservice"
  tier: "2"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      labels:
        category: "availability"
      annotations:
        summary: "High error rate on 'myservice' requests responses"
      page_alert:
        labels:
          severity: pageteam
          routing_key: myteam
      ticket_alert:
        labels:
          severity: "slack"
          slack_channel: "#alerts-myteam"
`;

/** The same SLO as Sloth's Kubernetes CRD (examples/k8s-getting-started.yml). */
const GETTING_STARTED_CRD = `
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: sloth-slo-my-service
  namespace: monitoring
spec:
  service: "myservice"
  labels:
    owner: "myteam"
    repo: "myorg/myservice"
    tier: "2"
  slos:
    - name: "requests-availability"
      objective: 99.9
      description: "Common SLO based on availability for HTTP request responses."
      sli:
        events:
          errorQuery: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
          totalQuery: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
      alerting:
        name: MyServiceHighErrorRate
        labels:
          category: "availability"
        annotations:
          summary: "High error rate on 'myservice' requests responses"
        pageAlert:
          labels:
            severity: pageteam
            routing_key: myteam
        ticketAlert:
          labels:
            severity: "slack"
            slack_channel: "#alerts-myteam"
`;

const spec = (slo: string, top = '') => `version: prometheus/v1\nservice: svc\n${top}slos:\n${slo}`;
const EVENTS = '    sli: { events: { error_query: "sum(rate(e[{{.window}}]))", total_query: "sum(rate(t[{{.window}}]))" } }\n';

describe('reading Sloth prometheus/v1 specs', () => {
  test("Sloth's getting-started example becomes one SLO named service-name, with Sloth's 30-day window", () => {
    const [slo, ...rest] = load(GETTING_STARTED);
    expect(rest).toEqual([]);
    expect(slo).toMatchObject({
      name: 'myservice-requests-availability',
      service: 'myservice',
      description: 'Common SLO based on availability for HTTP request responses.',
      objective: 0.999,
      window: { kind: 'rolling', durationMs: 30 * DAY },
      sli: {
        type: 'prometheus',
        error_query: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
        total_query: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
      },
      labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2' },
      source: { format: 'sloth', file: 'sloth.yaml', document: 0 },
      warnings: [],
    });
  });

  test('the SLO keeps its alert name and its page and ticket labels and annotations', () => {
    const [slo] = load(GETTING_STARTED);
    expect(slo?.alerting).toMatchObject({
      name: 'MyServiceHighErrorRate',
      labels: { category: 'availability' },
      annotations: { summary: "High error rate on 'myservice' requests responses" },
      page: { disabled: false, labels: { severity: 'pageteam', routing_key: 'myteam' }, annotations: {} },
      ticket: { disabled: false, labels: { severity: 'slack', slack_channel: '#alerts-myteam' }, annotations: {} },
    });
  });

  test("the tiers are Sloth's (the Workbook's) windows and budget shares, without a `for:` as under Sloth", () => {
    const [slo] = load(GETTING_STARTED);
    expect(slo?.alerting.tiers).toEqual(DEFAULT_TIERS.map((t) => ({ ...t, forMs: 0 })));
  });

  test('the Kubernetes CRD form (camelCase) gives the same SLO as the prometheus/v1 form', () => {
    const [fromCrd] = load(GETTING_STARTED_CRD);
    const [fromSpec] = load(GETTING_STARTED);
    expect(fromCrd).toEqual(fromSpec);
  });

  test.each([
    ['a raw SLI becomes an error query that already is a ratio (total 1)', spec('  - name: a\n    objective: 99\n    sli: { raw: { error_ratio_query: "avg_over_time(x[{{.window}}])" } }\n    alerting: { name: A }\n'),
      (s: Slo) => expect(s.sli).toEqual({ type: 'prometheus', error_query: 'avg_over_time(x[{{.window}}])', total_query: '1' })],
    ['a disabled ticket alert disables ticket routing', spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: A, ticket_alert: { disable: true } }\n`),
      (s: Slo) => expect([s.alerting.page.disabled, s.alerting.ticket.disabled]).toEqual([false, true])],
    ['SLO labels are merged over the service labels, and unquoted numbers become strings', spec(`  - name: a\n    objective: 99\n    labels: { team: b, tier: 1 }\n${EVENTS}    alerting: { name: A }\n`, 'labels: { team: a, region: eu }\n'),
      (s: Slo) => expect(s.labels).toEqual({ team: 'b', region: 'eu', tier: '1' })],
    ["the alert_for plugin's `for` becomes the tiers' `for`", spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: A, page_alert: { for: 5m }, ticket_alert: { for: 1h } }\n`, 'slo_plugins: { chain: [{ id: sloth.dev/contrib/alert_for/v1 }] }\n'),
      (s: Slo) => expect(s.alerting.tiers.map((t) => t.forMs)).toEqual([300_000, 300_000, 3_600_000, 3_600_000])],
    ['other SLO plugins are reported as not run', spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: A }\n`, 'slo_plugins: { chain: [{ id: sloth.dev/core/debug/v1, config: { msg: hi } }] }\n'),
      (s: Slo) => expect(s.warnings).toEqual(['sloth.yaml#0 slos.0: Sloth SLO plugins are not run by mlwarden (sloth.dev/core/debug/v1); the rules are generated without them'])],
    ['an objective whose fast page can never fire loads with a warning, as Sloth would generate it', spec(`  - name: a\n    objective: 90\n${EVENTS}    alerting: { name: A }\n`),
      (s: Slo) => expect(s.warnings).toEqual(['sloth.yaml#0 slos.0: tier page-fast (14.400× over 1h) can never fire: it needs an error ratio of 144.0% with a 90% objective'])],
    ['with both alerts disabled an SLO needs no alert name', spec(`  - name: quiet\n    objective: 99\n${EVENTS}    alerting: { page_alert: { disable: true }, ticket_alert: { disable: true } }\n`),
      (s: Slo) => expect(s.alerting.name).toBe('SvcQuietSloBurn')],
  ])('%s', (_sentence, text, check) => {
    const [slo] = load(text);
    check(slo as Slo);
  });

  test('several SLOs in one spec each become an SLO', () => {
    const text = spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: A }\n  - name: b\n    objective: 99.5\n${EVENTS}    alerting: { name: B }\n`);
    expect(load(text).map((s) => [s.name, s.objective])).toEqual([['svc-a', 0.99], ['svc-b', 0.995]]);
  });
});

describe('refusing Sloth specs, naming file#document, path and reason', () => {
  test.each([
    ['an SLI plugin cannot be imported (it is Go code run inside Sloth)', spec('  - name: a\n    objective: 99\n    sli: { plugin: { id: sloth-common/kubernetes/apiserver/availability } }\n    alerting: { name: A }\n'),
      'sloth.yaml#0 slos.0.sli.plugin', /SLI plugins \(sloth-common\/kubernetes\/apiserver\/availability\) run Go code inside Sloth and cannot be imported/],
    ['an SLI with both events and raw is ambiguous', spec(`  - name: a\n    objective: 99\n    sli: { raw: { error_ratio_query: x }, events: { error_query: e, total_query: t } }\n    alerting: { name: A }\n`),
      'sloth.yaml#0 slos.0.sli', /give exactly one of events, raw and plugin/],
    ['a 100% objective leaves no budget to alert on', spec(`  - name: a\n    objective: 100\n${EVENTS}    alerting: { name: A }\n`),
      'sloth.yaml#0 slos.0.objective', /under 100/],
    ['a misspelt field is named rather than ignored', spec(`  - name: a\n    objective: 99\n    sli: { events: { error_querry: e, total_query: t } }\n    alerting: { name: A }\n`),
      'sloth.yaml#0 slos.0.sli.events', /error_querry/],
    ['alerts need a name unless both are disabled', spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { ticket_alert: { disable: true } }\n`),
      'sloth.yaml#0 slos.0.alerting.name', /is required unless page_alert and ticket_alert are both disabled/],
    ['an alert name must be a Prometheus alert name', spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: my-alert }\n`),
      'sloth.yaml#0 slos.0.alerting.name', /must be a Prometheus alert name/],
    ['a spec needs at least one SLO', 'version: prometheus/v1\nservice: svc\nslos: []\n', 'sloth.yaml#0 slos', /needs at least one SLO/],
    ['a spec needs a service', `version: prometheus/v1\nslos:\n  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: A }\n`, 'sloth.yaml#0 service', /expected string/],
    ['a CRD problem is named with the CRD path and its camelCase field', 'apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nspec:\n  service: s\n  slos:\n    - name: a\n      objective: 99\n      sli: { events: { errorQuery: "", totalQuery: t } }\n      alerting: { name: A }\n',
      'sloth.yaml#0 spec.slos.0.sli.events.errorQuery', /must be a PromQL query/],
    ['a Sloth CRD of another kind is refused by its kind', 'apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevelList\nitems: []\n', 'sloth.yaml#0 kind', /expected PrometheusServiceLevel/],
  ])('%s', (_sentence, text, field, reason) => {
    expect(problemsOf(text)).toContainEqual({ field, reason: expect.stringMatching(reason) });
  });

  test('a problem in the second document of a file names that document', () => {
    const good = spec(`  - name: a\n    objective: 99\n${EVENTS}    alerting: { name: A }\n`);
    const problems = problemsOf(`${good}---\n${spec(`  - name: b\n    objective: 0\n${EVENTS}    alerting: { name: B }\n`)}`);
    expect(problems.map((p) => p.field)).toEqual(['sloth.yaml#1 slos.0.objective']);
  });
});
