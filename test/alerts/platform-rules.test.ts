import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { parse } from 'yaml';
import { CollectorHealth } from '../../collectors/index.js';
import { ROOT } from '../../scripts/gen-alerts.js';
import { DriftMetrics, PlatformMetrics, SloMetrics } from '../../src/analysis/index.js';
import { PolicyMetrics } from '../../src/orchestration/index.js';
import { PlatformFigures } from '../../src/store/index.js';
import { alertmanagerSkipReason, startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.js';
import { testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const TOOL_TIMEOUT_MS = 180_000;
const PLATFORM_RULES = 'alerts/platform-rules.yaml';
const ROUTING = 'alerts/alertmanager/routing.yaml';
const RUNBOOKS = 'docs/runbooks.md';
const RUNBOOK_BASE = 'https://github.com/mlwarden/mlwarden/blob/main/docs/runbooks.md';

const onPath = (name: string) => (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)).find((path) => existsSync(path));

/** Outside CI a machine without the tool skips the test and says why; in CI a missing tool fails it. */
function need(ctx: TestContext, name: string, debianPackage: string): string {
  const path = onPath(name);
  if (path !== undefined) return path;
  const reason = `${name} is not installed (Debian package '${debianPackage}'; .ci/run installs it)`;
  if (!process.env.CI) ctx.skip(`${reason}: skipped outside CI`);
  throw new Error(reason);
}

function run(binary: string, args: string[]): { status: number | null; stdout: string; output: string } {
  const result = spawnSync(binary, args, { cwd: ROOT, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

interface AlertRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const ruleFiles = readdirSync(join(ROOT, 'alerts')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `alerts/${f}`);
const unitTests = readdirSync(join(ROOT, 'alerts/tests')).filter((f) => f.endsWith('.test.yaml')).sort().map((f) => `alerts/tests/${f}`);

function alertRules(file: string): AlertRule[] {
  const doc = parse(readFileSync(join(ROOT, file), 'utf8')) as { groups: Array<{ rules: Array<Partial<AlertRule> & { record?: string }> }> };
  return doc.groups.flatMap((g) => g.rules).filter((r): r is AlertRule => r.alert !== undefined);
}

const allAlerts = ruleFiles.flatMap((file) => alertRules(file).map((rule, i) => ({ file, rule, id: `${file} #${i} ${rule.alert}` })));
const platformAlerts = alertRules(PLATFORM_RULES);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function githubAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const base = heading[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'count', 'avg', 'rate', 'increase', 'absent', 'time', 'and', 'or', 'unless', 'bool']);

/** Metric names an expression selects: what is left once strings, matchers, ranges, grouping and offsets are gone. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/#.*$/gm, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\w+/g, ' ');
  const words = [...bare.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)].map((m) => m[0]);
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w)))].sort();
}

describe('helpers', () => {
  test('GitHub anchors drop punctuation, keep hyphens and number repeated headings', () => {
    expect([...githubAnchors('# Runbooks\n## Ingest: rejecting (4xx)\n## Drift\n```\n# not a heading\n```\n## Drift\n')]).toEqual(['runbooks', 'ingest-rejecting-4xx', 'drift', 'drift-1']);
  });

  test('metric names skip labels, grouping, functions, durations and offsets', () => {
    expect(metricNames('sum by (job, kind) (rate(a_total{status=~"4..", x="y"}[5m])) / max(b offset 1d) > 2 * time() - up{job="m"} or absent(c)')).toEqual(['a_total', 'b', 'c', 'up']);
  });
});

describe('promtool accepts the whole alert pack', () => {
  test('the pack holds the platform rules and their unit tests', () => {
    expect(ruleFiles).toContain(PLATFORM_RULES);
    expect(unitTests).toContain('alerts/tests/platform-rules.test.yaml');
  });

  test('promtool check rules on every rule file', { timeout: TOOL_TIMEOUT_MS }, (ctx) => {
    const { status, output } = run(need(ctx, 'promtool', 'prometheus'), ['check', 'rules', ...ruleFiles]);
    expect(output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
  });

  test('promtool test rules on every unit test file', { timeout: TOOL_TIMEOUT_MS }, (ctx) => {
    const { status, output } = run(need(ctx, 'promtool', 'prometheus'), ['test', 'rules', ...unitTests]);
    expect(output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
  });

  test('every platform alert is exercised by the unit tests', () => {
    const tested = new Set([...readFileSync(join(ROOT, 'alerts/tests/platform-rules.test.yaml'), 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(platformAlerts.map((r) => r.alert).filter((name) => !tested.has(name))).toEqual([]);
  });
});

describe('every alerting rule can be routed and acted on', () => {
  const anchors = githubAnchors(readFileSync(join(ROOT, RUNBOOKS), 'utf8'));

  // Generated Sloth-style rules keep the page/ticket level in sloth_severity; their severity label
  // is the spec's own (critical, warning) when it sets one.
  test.each(allAlerts)('$id is a page or a ticket with a summary', ({ file, rule }) => {
    const level = file === PLATFORM_RULES ? rule.labels?.severity : (rule.labels?.sloth_severity ?? rule.labels?.severity);
    expect(['page', 'ticket']).toContain(level);
    expect(rule.annotations?.summary ?? '').not.toBe('');
  });

  test.each(allAlerts.filter((a) => a.rule.annotations?.runbook_url !== undefined))('$id links a runbook section that exists', ({ rule }) => {
    const [base, anchor] = (rule.annotations?.runbook_url ?? '').split('#');
    expect(base).toBe(RUNBOOK_BASE);
    expect([...anchors]).toContain(anchor);
  });

  test.each(platformAlerts)('platform alert $alert has a description and a runbook', (rule) => {
    expect(rule.annotations?.description ?? '').not.toBe('');
    expect(rule.annotations?.runbook_url).toMatch(/#.+/);
  });
});

describe('the platform rules use only metrics mlwarden exports', () => {
  let t: TestStore;
  let app: TestApp;
  const exported = new Set<string>();

  const names = (exposition: string) => [...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? '');

  beforeAll(async () => {
    t = await openTestStore();
    app = testApp(t);
    // The gauges main.ts registers beside ingest's, on the server's registry; collectors have their own.
    new SloMetrics(app.registry);
    new DriftMetrics(app.registry);
    new PlatformMetrics(app.registry, new PlatformFigures(t.store.client, t.ctx.database), { default_usd_per_hour: 2.5, by_gpu_model: {} }, pino({ level: 'silent' }));
    new PolicyMetrics(app.registry, () => Date.now());
    const collectors = new Registry();
    new CollectorHealth(collectors);
    const served = await app.app.request('/metrics');
    for (const name of [...names(await served.text()), ...names(await collectors.metrics())]) exported.add(name);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  test('/metrics exports ingest, SLO, drift, platform, policy and collector metrics', () => {
    for (const prefix of ['mlwarden_ingest_', 'mlwarden_slo_', 'mlwarden_drift_', 'mlwarden_pipeline_', 'mlwarden_policy_', 'mlwarden_collector_']) {
      expect([...exported].some((n) => n.startsWith(prefix)), prefix).toBe(true);
    }
  });

  test.each(platformAlerts)('$alert selects exported metrics (or Prometheus\'s up)', (rule) => {
    const used = metricNames(rule.expr);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((n) => n !== 'up' && !exported.has(n))).toEqual([]);
  });
});

describe('Alertmanager routing example', () => {
  test('amtool check-config accepts it', { timeout: TOOL_TIMEOUT_MS }, (ctx) => {
    const { status, output } = run(need(ctx, 'amtool', 'prometheus-alertmanager'), ['check-config', ROUTING]);
    expect(output).toMatch(/SUCCESS/);
    expect(status).toBe(0);
  });

  test.for([
    ['severity=page', 'slo=fraud-availability', 'model=fraud', 'ml-oncall-pager'],
    ['severity=ticket', 'slo=fraud-availability', 'model=fraud', 'ml-platform-tickets'],
    ['severity=critical', 'sloth_severity=page', 'sloth_id=ranker-inference-availability', 'ml-oncall-pager'],
    ['severity=warning', 'sloth_severity=ticket', 'sloth_id=ranker-inference-availability', 'ml-platform-tickets'],
    ['alertname=MlwardenDown', 'severity=page', 'job=mlwarden', 'ml-oncall-pager'],
  ] as const)('amtool config routes test %s %s %s → %s', ([a, b, c, receiver], ctx) => {
    const { status, stdout, output } = run(need(ctx, 'amtool', 'prometheus-alertmanager'), ['config', 'routes', 'test', `--config.file=${ROUTING}`, `--verify.receivers=${receiver}`, a, b, c]);
    expect(stdout.trim()).toBe(receiver);
    expect(status, output).toBe(0);
  });

  describe('inhibition in a real Alertmanager', () => {
    const skipReason = alertmanagerSkipReason();
    let am: RunningAlertmanager | undefined;

    beforeAll(async () => {
      if (!skipReason) am = await startAlertmanager({ config: readFileSync(join(ROOT, ROUTING), 'utf8') });
    }, 30_000);
    afterAll(async () => am?.stop());

    const alert = (labels: Record<string, string>) => ({ labels, annotations: { summary: 'test' }, startsAt: new Date().toISOString() });

    test('a page for an SLO holds back its ticket, not the tickets of other SLOs or of the platform', async (ctx) => {
      ctx.skip(skipReason !== undefined, skipReason);
      if (am === undefined) throw new Error('alertmanager did not start');
      const posted = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          alert({ alertname: 'FraudBurn', severity: 'page', slo: 'fraud-availability', model: 'fraud', namespace: 'serving' }),
          alert({ alertname: 'FraudBurn', severity: 'ticket', slo: 'fraud-availability', model: 'fraud', namespace: 'serving' }),
          alert({ alertname: 'FraudBurn', severity: 'ticket', slo: 'fraud-availability', model: 'fraud', namespace: 'staging' }),
          alert({ alertname: 'RankerBurn', severity: 'ticket', slo: 'ranker-latency', model: 'ranker', namespace: 'serving' }),
          alert({ alertname: 'MlwardenCollectorStale', severity: 'ticket', collector: 'gpu' }),
        ]),
      });
      expect(posted.status).toBe(200);
      const inhibited = async () => (await am!.alerts()).filter((a) => a.status.state === 'suppressed').map((a) => `${a.labels.slo} ${a.labels.namespace} ${a.labels.severity}`);
      await expect.poll(inhibited, { timeout: 10_000 }).toEqual(['fraud-availability serving ticket']);
      const active = (await am.alerts({ active: true, inhibited: false })).map((a) => `${a.labels.alertname} ${a.labels.namespace ?? '-'} ${a.labels.severity}`).sort();
      expect(active).toEqual(['FraudBurn serving page', 'FraudBurn staging ticket', 'MlwardenCollectorStale - ticket', 'RankerBurn serving ticket']);
    });
  });
});
