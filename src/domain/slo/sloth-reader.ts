import { z } from 'zod';
import type { FieldProblem } from '../errors.js';
import { DEFAULT_TIERS, tierFeasibility, type AlertTier, type Severity } from './alert-windows.js';
import { parseDuration } from './duration.js';
import type { Slo } from './slo.js';
import { fieldOf, where, type FormatReader, type SpecDocument } from './spec-document.js';

/**
 * Sloth specs (slok/sloth): the `prometheus/v1` file format and the Kubernetes CRD
 * (`sloth.slok.dev/v1` PrometheusServiceLevel, the same fields in camelCase). Each SLO becomes a
 * `prometheus` SLI named `${service}-${name}` (Sloth's SLO id) that keeps its alert name and its
 * page/ticket labels and annotations. Sloth specs have no window: Sloth's default, 30 days, applies,
 * with Sloth's (the Workbook's) four tiers. Sloth alerts have no `for:` unless the spec gives one
 * (Sloth's alert_for plugin), so imported tiers fire as soon as the condition holds, as under Sloth.
 */

const SLOTH_PERIOD_MS = 30 * 86_400_000;
const ALERT_FOR_PLUGIN = 'sloth.dev/contrib/alert_for/v1';
const PROM_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Sloth's labels are map[string]string; YAML writes `tier: 2` as a number, Go reads it as "2". */
const labelMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({});
const query = z.string().trim().min(1, 'must be a PromQL query');

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 5m, 1h` });
  return ms ?? 0;
});

const alert = z
  .strictObject({ disable: z.boolean().default(false), labels: labelMap, annotations: labelMap, for: duration.optional() })
  .prefault({});

const sli = z
  .strictObject({
    events: z.strictObject({ error_query: query, total_query: query }).optional(),
    raw: z.strictObject({ error_ratio_query: query }).optional(),
    plugin: z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
  })
  .superRefine((s, ctx) => {
    const given = [s.events, s.raw, s.plugin].filter((x) => x !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of events, raw and plugin' });
    if (s.plugin) {
      ctx.addIssue({
        code: 'custom',
        path: ['plugin'],
        message: `SLI plugins (${s.plugin.id}) run Go code inside Sloth and cannot be imported; write the plugin's queries as sli.events (error_query, total_query)`,
      });
    }
  });

const objective = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().gt(0, 'must be above 0').lt(100, 'must be under 100 (a 100% objective leaves no error budget to alert on)'));

const slothSlo = z.strictObject({
  name: z.string().min(1),
  objective,
  description: z.string().default(''),
  labels: labelMap,
  sli,
  alerting: z
    .strictObject({
      name: z.string().regex(PROM_NAME, 'must be a Prometheus alert name').optional(),
      labels: labelMap,
      annotations: labelMap,
      page_alert: alert,
      ticket_alert: alert,
    })
    .prefault({}),
  plugins: z.unknown().optional(),
});

const plugins = z.strictObject({ overrides_default: z.boolean().optional(), chain: z.array(z.looseObject({ id: z.string() })).default([]) }).optional();

const slothSpec = z.strictObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1, 'is required'),
  labels: labelMap,
  slo_plugins: plugins,
  slos: z.array(slothSlo).min(1, 'needs at least one SLO'),
});

type SlothSpec = z.output<typeof slothSpec>;
type SlothSlo = SlothSpec['slos'][number];

/** The CRD's camelCase keys and their prometheus/v1 spelling. */
const CAMEL_TO_SNAKE: Record<string, string> = {
  errorQuery: 'error_query', totalQuery: 'total_query', errorRatioQuery: 'error_ratio_query', pageAlert: 'page_alert', ticketAlert: 'ticket_alert', sloPlugins: 'slo_plugins',
};
const SNAKE_TO_CAMEL = Object.fromEntries(Object.entries(CAMEL_TO_SNAKE).map(([camel, snake]) => [snake, camel]));

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [CAMEL_TO_SNAKE[k] ?? k, k === 'options' || k === 'config' ? v : snakeKeys(v)]));
}

const isCrd = (doc: SpecDocument) => fieldOf(doc.data, 'apiVersion') === 'sloth.slok.dev/v1';

/** The CRD's spec as a prometheus/v1 document, and a way to name problems with the CRD's own paths. */
function asPrometheusV1(doc: SpecDocument): { data: unknown; path: (p: ReadonlyArray<PropertyKey>) => PropertyKey[] } {
  if (!isCrd(doc)) return { data: doc.data, path: (p) => [...p] };
  return {
    data: { version: 'prometheus/v1', ...(snakeKeys(fieldOf(doc.data, 'spec') ?? {}) as object) },
    path: (p) => ['spec', ...p.map((k) => (typeof k === 'string' ? (SNAKE_TO_CAMEL[k] ?? k) : k))],
  };
}

function tiersFor(slo: SlothSlo): AlertTier[] {
  const forMs: Record<Severity, number> = { page: slo.alerting.page_alert.for ?? 0, ticket: slo.alerting.ticket_alert.for ?? 0 };
  return DEFAULT_TIERS.map((t) => ({ ...t, forMs: forMs[t.severity] }));
}

const defaultAlertName = (id: string) => id.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('') + 'SloBurn';

function toSlo(spec: SlothSpec, slo: SlothSlo, doc: SpecDocument, at: string, warnings: string[]): Slo {
  const id = `${spec.service}-${slo.name}`;
  // 99.9 / 100 is 0.9990000000000001 in floating point; 15 significant digits give back 0.999.
  const objective = Number((slo.objective / 100).toPrecision(15));
  const tiers = tiersFor(slo);
  const own = [...warnings, ...tiers.flatMap((t) => tierFeasibility(t, objective, SLOTH_PERIOD_MS).reason ?? [])];
  const routing = (a: SlothSlo['alerting']['page_alert']) => ({ disabled: a.disable, labels: a.labels, annotations: a.annotations });
  return {
    name: id,
    service: spec.service,
    description: slo.description,
    objective,
    window: { kind: 'rolling', durationMs: SLOTH_PERIOD_MS },
    sli: slo.sli.events
      ? { type: 'prometheus', error_query: slo.sli.events.error_query, total_query: slo.sli.events.total_query }
      : { type: 'prometheus', error_query: (slo.sli.raw as { error_ratio_query: string }).error_ratio_query, total_query: '1' },
    groupBy: [],
    labels: { ...spec.labels, ...slo.labels },
    alerting: {
      name: slo.alerting.name ?? defaultAlertName(id),
      labels: slo.alerting.labels,
      annotations: slo.alerting.annotations,
      page: routing(slo.alerting.page_alert),
      ticket: routing(slo.alerting.ticket_alert),
      guard: { minEvents: 0, minBadEvents: 0 },
      tiers,
    },
    source: { format: 'sloth', file: doc.file, document: doc.index },
    warnings: own.map((w) => `${at}: ${w}`),
  };
}

function pluginWarnings(spec: SlothSpec, slo: SlothSlo): string[] {
  const ids = (spec.slo_plugins?.chain ?? []).map((p) => p.id).filter((id) => id !== ALERT_FOR_PLUGIN);
  if (slo.plugins !== undefined) ids.push('the SLO\'s own plugins');
  return ids.length === 0 ? [] : [`Sloth SLO plugins are not run by mlwarden (${ids.join(', ')}); the rules are generated without them`];
}

function readOne(doc: SpecDocument): { slos: Slo[]; problems: FieldProblem[] } {
  if (isCrd(doc) && fieldOf(doc.data, 'kind') !== 'PrometheusServiceLevel') {
    return { slos: [], problems: [{ index: doc.index, field: where(doc, ['kind']), reason: `${JSON.stringify(fieldOf(doc.data, 'kind') ?? null)} is not a Sloth kind mlwarden reads; expected PrometheusServiceLevel` }] };
  }
  const { data, path } = asPrometheusV1(doc);
  const parsed = slothSpec.safeParse(data);
  if (!parsed.success) {
    return { slos: [], problems: parsed.error.issues.map((i) => ({ index: doc.index, field: where(doc, path(i.path)), reason: i.message })) };
  }
  const spec = parsed.data;
  const problems: FieldProblem[] = [];
  spec.slos.forEach((slo, i) => {
    if (slo.alerting.name === undefined && !(slo.alerting.page_alert.disable && slo.alerting.ticket_alert.disable)) {
      problems.push({ index: doc.index, field: where(doc, path(['slos', i, 'alerting', 'name'])), reason: 'is required unless page_alert and ticket_alert are both disabled' });
    }
  });
  if (problems.length > 0) return { slos: [], problems };
  return { slos: spec.slos.map((slo, i) => toSlo(spec, slo, doc, where(doc, path(['slos', i])), pluginWarnings(spec, slo))), problems: [] };
}

export const slothReader: FormatReader = {
  format: 'sloth',
  claims: (doc) => fieldOf(doc.data, 'version') === 'prometheus/v1' || isCrd(doc),
  read(docs) {
    const results = docs.map(readOne);
    return { slos: results.flatMap((r) => r.slos), problems: results.flatMap((r) => r.problems) };
  },
};
