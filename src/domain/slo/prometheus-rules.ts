import { Document } from 'yaml';
import { burnFactor, tierWindows, type AlertTier, type Severity } from './alert-windows.js';
import { formatDuration } from './duration.js';
import type { SloWindow } from './period.js';
import {
  CURRENT_BURN_RATE, ERROR_BUDGET_RATIO, GENERATOR_MODE, LABEL, OBJECTIVE_RATIO, PERIOD_BUDGET_REMAINING, PERIOD_BURN_RATE, RATIO_TOTAL, SLO_INFO,
  TIME_PERIOD_DAYS, WINDOW_PLACEHOLDER, groupName, promDuration, promNumber, sliErrorMetric, sloFilter,
} from './prometheus-conventions.js';
import type { SliOf } from './sli-kinds.js';
import type { Slo, SpecFormat } from './slo.js';

/**
 * Prometheus rules for SLOs whose SLI lives in Prometheus (the Sloth-equivalent output of
 * `mlwarden rules`), generated in small steps like Sloth: check → SLI recording rules → metadata
 * recording rules → alert rules. One rule group of each per SLO.
 *
 * Alert modes:
 * - `tiered` (default): one alert rule per tier, with its own `for:` and labels naming the tier, both
 *   windows, the budget share and the factor, so Alertmanager can route and inhibit per tier and a
 *   page says which window pair fired.
 * - `sloth`: Sloth's shape — one page and one ticket rule, each ORing its tiers, `sloth_severity`
 *   label and Sloth's default annotations — for teams that keep Sloth's dashboards and routes.
 *
 * The period ratio (`slo:sli_error:ratio_rate30d`) is the SLI query evaluated over the whole period,
 * i.e. errors and totals counted over 30 days and divided once. Sloth averages the 5m ratio over the
 * period instead (`sum_over_time(ratio_rate5m[30d]) / count_over_time(…)`), which weighs a quiet
 * night like a peak hour and lets empty (NaN) windows drop out; the exact ratio is event-weighted,
 * like mlwarden's own budgets, at the cost of Prometheus reading 30 days of the raw series per
 * evaluation.
 *
 * Calendar windows: Prometheus ranges cannot follow calendar boundaries, so rules for a calendar
 * week or month use its nominal length (7d, 30d) as a rolling period, for both the period ratio and
 * the burn-rate factors. mlwarden's own evaluation uses the true calendar period.
 *
 * The minimum-traffic guard is not part of the rules: a total query's unit (per-second rate or count)
 * is the author's, so an event count cannot be derived from it. mlwarden's own evaluator applies it.
 */

export type AlertMode = 'tiered' | 'sloth';

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  forMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type PrometheusRule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  rules: PrometheusRule[];
}

export interface GeneratedRules {
  groups: RuleGroup[];
  /** SLOs that got no rules and why (store SLIs, names Prometheus refuses). */
  skipped: Array<{ slo: string; reason: string }>;
  /** Things a reader of the rules should know (calendar windows made rolling). */
  notes: string[];
}

const DAY = 86_400_000;
const NOMINAL_CALENDAR_MS = { week: 7 * DAY, month: 30 * DAY } as const;
const DEFAULT_CURRENT_WINDOW_MS = 5 * 60_000;
/** Relative slack under a tier's threshold (the same as mlwarden's evaluator uses). */
const AT_FACTOR = '(1 - 1e-9)';
const PROM_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SPEC_IDS: Record<SpecFormat, string> = { native: 'mlwarden.dev/v1', sloth: 'prometheus/v1', openslo: 'openslo/v1' };

/** The period length generated rules use: a rolling window's duration, a calendar unit's nominal length. */
const rulePeriodMs = (window: SloWindow): number => (window.kind === 'rolling' ? window.durationMs : NOMINAL_CALENDAR_MS[window.unit]);

interface RuleSlo {
  slo: Slo;
  sli: SliOf<'prometheus'>;
  ids: Record<string, string>;
  filter: string;
  periodMs: number;
}

export function generatePrometheusRules(slos: readonly Slo[], options: { mode?: AlertMode } = {}): GeneratedRules {
  const mode = options.mode ?? 'tiered';
  const result: GeneratedRules = { groups: [], skipped: [], notes: [] };
  for (const slo of slos) {
    const reason = whyNoRules(slo);
    if (reason !== undefined) {
      result.skipped.push({ slo: slo.name, reason });
      continue;
    }
    const r = ruleSlo(slo);
    if (slo.window.kind === 'calendar') {
      result.notes.push(`${slo.name}: calendar ${slo.window.unit} (${slo.window.timeZone}) uses a rolling ${formatDuration(r.periodMs)} period in these rules`);
    }
    result.groups.push({ name: groupName('sli-recordings', slo.name), rules: sliRecordingRules(r) });
    result.groups.push({ name: groupName('meta-recordings', slo.name), rules: metadataRecordingRules(r) });
    const alerts = mode === 'sloth' ? slothAlertRules(r) : tieredAlertRules(r);
    if (alerts.length > 0) result.groups.push({ name: groupName('alerts', slo.name), rules: alerts });
  }
  return result;
}

function whyNoRules(slo: Slo): string | undefined {
  if (slo.sli.type !== 'prometheus') {
    return `its SLI (${slo.sli.type}) is computed by mlwarden from the telemetry store; only prometheus SLIs become Prometheus rules`;
  }
  const names = [...Object.keys(slo.labels), ...Object.keys(slo.alerting.labels), ...Object.keys(slo.alerting.page.labels), ...Object.keys(slo.alerting.ticket.labels)];
  const bad = names.find((n) => !PROM_NAME.test(n));
  if (bad !== undefined) return `"${bad}" is not a Prometheus label name`;
  if (!PROM_NAME.test(slo.alerting.name)) return `"${slo.alerting.name}" is not a Prometheus alert name`;
  return undefined;
}

function ruleSlo(slo: Slo): RuleSlo {
  const service = slo.service || slo.name;
  const prefix = `${slo.service}-`;
  const sloName = slo.service && slo.name.startsWith(prefix) ? slo.name.slice(prefix.length) : slo.name;
  const ids = { [LABEL.id]: slo.name, [LABEL.service]: service, [LABEL.slo]: sloName };
  return { slo, sli: slo.sli as SliOf<'prometheus'>, ids, filter: sloFilter(ids), periodMs: rulePeriodMs(slo.window) };
}

const currentWindowMs = (slo: Slo): number => tierWindows(slo.alerting.tiers)[0] ?? DEFAULT_CURRENT_WINDOW_MS;

/** Every window the tiers need, the "current" window and the period, ascending. */
function recordedWindows(r: RuleSlo): number[] {
  return [...new Set([...tierWindows(r.slo.alerting.tiers), currentWindowMs(r.slo), r.periodMs])].sort((a, b) => a - b);
}

/** The SLI's error ratio over one window: error/total, 1 − good/total, or a ratio query as it is. */
function sliErrorRatioExpr(sli: SliOf<'prometheus'>, windowMs: number): string {
  const at = (query: string) => query.replace(WINDOW_PLACEHOLDER, promDuration(windowMs)).trim();
  const ratioOnly = sli.total_query.trim() === RATIO_TOTAL;
  if (sli.error_query !== undefined) return ratioOnly ? `(${at(sli.error_query)})\n` : `(${at(sli.error_query)})\n/\n(${at(sli.total_query)})\n`;
  const good = at(sli.good_query as string);
  return ratioOnly ? `1 - (${good})\n` : `1 - (\n(${good})\n/\n(${at(sli.total_query)})\n)\n`;
}

function sliRecordingRules(r: RuleSlo): RecordingRule[] {
  return recordedWindows(r).map((windowMs) => ({
    record: sliErrorMetric(windowMs),
    expr: sliErrorRatioExpr(r.sli, windowMs),
    labels: { ...r.slo.labels, ...r.ids, [LABEL.window]: promDuration(windowMs) },
  }));
}

function metadataRecordingRules(r: RuleSlo): RecordingRule[] {
  const labels = { ...r.slo.labels, ...r.ids };
  const objective = promNumber(r.slo.objective);
  const burnRate = (windowMs: number) =>
    `${sliErrorMetric(windowMs)}${r.filter}\n/ on(${LABEL.id}, ${LABEL.slo}, ${LABEL.service}) group_left\n${ERROR_BUDGET_RATIO}${r.filter}\n`;
  const info = { ...labels, [LABEL.mode]: GENERATOR_MODE, [LABEL.spec]: SPEC_IDS[r.slo.source.format], [LABEL.objective]: promNumber(r.slo.objective * 100) };
  return [
    { record: OBJECTIVE_RATIO, expr: `vector(${objective})`, labels },
    { record: ERROR_BUDGET_RATIO, expr: `vector(1-${objective})`, labels },
    { record: TIME_PERIOD_DAYS, expr: `vector(${promNumber(r.periodMs / DAY)})`, labels },
    { record: CURRENT_BURN_RATE, expr: burnRate(currentWindowMs(r.slo)), labels },
    { record: PERIOD_BURN_RATE, expr: burnRate(r.periodMs), labels },
    { record: PERIOD_BUDGET_REMAINING, expr: `1 - ${PERIOD_BURN_RATE}${r.filter}`, labels },
    { record: SLO_INFO, expr: 'vector(1)', labels: info },
  ];
}

const enabledTiers = (slo: Slo): AlertTier[] => slo.alerting.tiers.filter((t) => !slo.alerting[t.severity].disabled);

const defaultAnnotations = (severity: Severity): Record<string, string> => ({
  title: `(${severity}) {{$labels.${LABEL.service}}} {{$labels.${LABEL.slo}}} SLO error budget burn rate is too fast.`,
  summary: `{{$labels.${LABEL.service}}} {{$labels.${LABEL.slo}}} SLO error budget burn rate is over expected.`,
});

const withRouting = (slo: Slo, severity: Severity, base: { labels: Record<string, string>; annotations: Record<string, string> }) => ({
  labels: { ...base.labels, ...slo.alerting.labels, ...slo.alerting[severity].labels },
  annotations: { ...base.annotations, ...slo.alerting.annotations, ...slo.alerting[severity].annotations },
});

/**
 * One rule per tier: fires when both windows' error ratios reach factor × (1 − objective), as in
 * mlwarden's own evaluation (Sloth uses a strict >). The threshold is written as one number (0.0144,
 * not 14.4 * 0.001, which floating point makes 0.014400000000000001) and lowered by a relative 1e-9:
 * Prometheus' rate ratios land a unit in the last place either side of 0.0144 for a burn exactly at
 * 14.4×, and such a burn must page steadily, not flap.
 */
function tieredAlertRules(r: RuleSlo): AlertingRule[] {
  const budget = 1 - r.slo.objective;
  return enabledTiers(r.slo).map((tier) => {
    const factor = promNumber(burnFactor(tier, r.periodMs));
    const threshold = promNumber(burnFactor(tier, r.periodMs) * budget);
    const [long, short] = [promDuration(tier.longWindowMs), promDuration(tier.shortWindowMs)];
    const share = `${promNumber(tier.budgetFraction * 100)}% of the ${formatDuration(r.periodMs)} error budget in ${formatDuration(tier.longWindowMs)}`;
    const expr =
      `# ${tier.name}: error ratio ≥ ${factor} × ${promNumber(budget)} in both windows (${share})\n` +
      `(${sliErrorMetric(tier.shortWindowMs)}${r.filter} >= ${threshold} * ${AT_FACTOR})\n` +
      `and ignoring (${LABEL.window})\n` +
      `(${sliErrorMetric(tier.longWindowMs)}${r.filter} >= ${threshold} * ${AT_FACTOR})\n`;
    const routed = withRouting(r.slo, tier.severity, {
      labels: { [LABEL.routingSeverity]: tier.severity },
      annotations: {
        ...defaultAnnotations(tier.severity),
        summary: `{{$labels.${LABEL.service}}} {{$labels.${LABEL.slo}}} burned its error budget at ${factor}× or faster over the last ${formatDuration(tier.longWindowMs)} and ${formatDuration(tier.shortWindowMs)} (${share}).`,
      },
    });
    const structural = {
      [LABEL.severity]: tier.severity, [LABEL.tier]: tier.name, [LABEL.longWindow]: long, [LABEL.shortWindow]: short,
      [LABEL.budgetFraction]: promNumber(tier.budgetFraction), [LABEL.burnFactor]: factor,
    };
    return { alert: r.slo.alerting.name, expr, forMs: tier.forMs, labels: { ...routed.labels, ...structural }, annotations: routed.annotations };
  });
}

/** Sloth's shape: per severity one rule ORing its tiers, each tier `short > factor × budget and long > …`. */
function slothAlertRules(r: RuleSlo): AlertingRule[] {
  const budget = promNumber(1 - r.slo.objective);
  const tiers = enabledTiers(r.slo);
  return (['page', 'ticket'] as const).flatMap((severity) => {
    const own = tiers.filter((t) => t.severity === severity);
    if (own.length === 0) return [];
    const clause = (t: AlertTier) => {
      const factor = promNumber(burnFactor(t, r.periodMs));
      const side = (windowMs: number) => `    (${sliErrorMetric(windowMs)}${r.filter} > (${factor} * ${budget}))`;
      return `(\n${side(t.shortWindowMs)}\n    and ignoring (${LABEL.window})\n${side(t.longWindowMs)}\n)`;
    };
    const routed = withRouting(r.slo, severity, { labels: { [LABEL.severity]: severity }, annotations: defaultAnnotations(severity) });
    return [{
      alert: r.slo.alerting.name,
      expr: `${own.map(clause).join(`\nor ignoring (${LABEL.window})\n`)}\n`,
      // Sloth has one `for` per rule; the ORed tiers wait as long as the quickest of them.
      forMs: Math.min(...own.map((t) => t.forMs)),
      labels: routed.labels,
      annotations: routed.annotations,
    }];
  });
}

const sorted = (record: Record<string, string>): Record<string, string> | undefined => {
  const keys = Object.keys(record).sort();
  return keys.length === 0 ? undefined : Object.fromEntries(keys.map((k) => [k, record[k] as string]));
};

/** A rule as Prometheus writes it, keys in Prometheus' order, labels sorted, empty parts left out. */
function ruleObject(rule: PrometheusRule): Record<string, unknown> {
  const out: Record<string, unknown> = 'record' in rule ? { record: rule.record, expr: rule.expr } : { alert: rule.alert, expr: rule.expr };
  if ('forMs' in rule && rule.forMs > 0) out.for = promDuration(rule.forMs);
  const labels = sorted(rule.labels);
  if (labels) out.labels = labels;
  if ('annotations' in rule) {
    const annotations = sorted(rule.annotations);
    if (annotations) out.annotations = annotations;
  }
  return out;
}

/** The rule file as YAML (deterministic: same SLOs, same bytes), with the notes and skipped SLOs as header comments. */
export function renderRuleFile(rules: GeneratedRules): string {
  const doc = new Document({ groups: rules.groups.map((g) => ({ name: g.name, rules: g.rules.map(ruleObject) })) });
  doc.commentBefore = [
    ' Code generated by `mlwarden rules`. DO NOT EDIT.',
    ...rules.notes.map((n) => ` note: ${n}`),
    ...rules.skipped.map((s) => ` skipped ${s.slo}: ${s.reason}`),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
