import { z } from 'zod';
import type { FieldProblem } from '../errors.js';
import { DEFAULT_TIERS, tierFeasibility, type Severity } from './alert-windows.js';
import { parseDuration } from './duration.js';
import { isValidTimeZone, nominalLengthMs, type SloWindow } from './period.js';
import type { Sli } from './sli-kinds.js';
import type { SeverityRouting, Slo } from './slo.js';
import { fieldOf, where, type FormatReader, type SpecDocument } from './spec-document.js';

/**
 * OpenSLO v1 (`apiVersion: openslo/v1`): SLO, SLI (ratioMetric with Prometheus sources), AlertPolicy
 * and AlertCondition objects, one per YAML document or several in a YAML list, referring to each
 * other by name across all the files given. Each SLO becomes a `prometheus` SLI whose rules
 * `mlwarden rules` generates; queries must carry `{{.window}}` where the range goes, as Sloth's
 * OpenSLO import asks.
 *
 * OpenSLO v1 cannot express multiwindow alerting: an AlertCondition has one lookback window and one
 * threshold. Its conditions are therefore not translated; mlwarden's burn-rate tiers (the Workbook's
 * four, scaled to the SLO's window) apply instead. What is kept from alert policies: their labels,
 * and their severities to choose which of page and ticket alerts exist (critical → page,
 * warning → ticket, keeping that name as the `severity` label).
 */

const KINDS_READ = ['SLO', 'SLI', 'AlertPolicy', 'AlertCondition', 'DataSource'];
const KINDS_IGNORED = ['Service', 'AlertNotificationTarget'];
const OPENSLO_DURATION = /^(\d+)([smhdwMQY])$/;
const SEVERITIES: Record<string, Severity> = { page: 'page', critical: 'page', ticket: 'ticket', warning: 'ticket' };

/** OpenSLO labels may be a string or a list of strings; Prometheus labels are one string. */
const labels = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v.join(',') : String(v)))).default({});
const metadata = z.looseObject({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)').max(63), labels });

const metric = z.looseObject({
  metricSource: z.looseObject({ metricSourceRef: z.string().optional(), type: z.string().optional(), spec: z.looseObject({ query: z.string().optional() }).default({}) }),
});
const sliSpec = z.looseObject({
  description: z.string().optional(),
  ratioMetric: z
    .looseObject({ good: metric.optional(), bad: metric.optional(), total: metric.optional(), raw: metric.optional(), rawType: z.enum(['success', 'failure']).optional() })
    .optional(),
  thresholdMetric: z.unknown().optional(),
});
const inlineSli = z.looseObject({ metadata: metadata.optional(), spec: sliSpec });
const conditionSpec = z.looseObject({ severity: z.string().optional(), condition: z.unknown().optional() });
const conditionEntry = z.union([z.looseObject({ conditionRef: z.string() }), z.looseObject({ kind: z.literal('AlertCondition'), metadata, spec: conditionSpec })]);
const policySpec = z.looseObject({ conditions: z.array(conditionEntry).default([]) });
const policyEntry = z.union([z.string(), z.looseObject({ alertPolicyRef: z.string() }), z.looseObject({ kind: z.literal('AlertPolicy'), metadata, spec: policySpec })]);
const objective = z.looseObject({
  target: z.number().gt(0).lt(1, 'is a fraction under 1 (0.999); use targetPercent for 99.9').optional(),
  targetPercent: z.number().gt(0).lt(100).optional(),
  indicator: inlineSli.optional(),
  indicatorRef: z.string().optional(),
});
const sloSpec = z.looseObject({
  description: z.string().default(''),
  service: z.string().default(''),
  indicator: inlineSli.optional(),
  indicatorRef: z.string().optional(),
  budgetingMethod: z.string(),
  timeWindow: z.array(z.looseObject({ duration: z.string(), isRolling: z.boolean().default(true), calendar: z.looseObject({ timeZone: z.string().default('UTC') }).optional() })).length(1, 'needs exactly one time window'),
  objectives: z.array(objective).length(1, 'needs exactly one objective; mlwarden SLOs have one target (split the others into SLOs of their own)'),
  alertPolicies: z.array(policyEntry).default([]),
});
const object = z.looseObject({ apiVersion: z.literal('openslo/v1'), kind: z.string(), metadata, spec: z.unknown() });

type Metric = z.output<typeof metric>;
type SliSpec = z.output<typeof sliSpec>;
type SloSpec = z.output<typeof sloSpec>;
type Path = PropertyKey[];

/** One OpenSLO object with where it came from (a YAML document, or an item of a list in one). */
interface Item {
  doc: SpecDocument;
  path: Path;
  kind: string;
  name: string;
  labels: Record<string, string>;
  spec: unknown;
}

class Problems {
  readonly list: FieldProblem[] = [];
  add(item: Pick<Item, 'doc' | 'path'>, path: Path, reason: string): undefined {
    const field = where(item.doc, [...item.path, ...path]);
    // An SLI shared by several SLOs is checked once per SLO; report each problem once.
    if (!this.list.some((p) => p.field === field && p.reason === reason)) this.list.push({ index: item.doc.index, field, reason });
    return undefined;
  }
  addZod(item: Pick<Item, 'doc' | 'path'>, path: Path, error: z.ZodError): undefined {
    for (const issue of error.issues) this.add(item, [...path, ...issue.path], issue.message);
    return undefined;
  }
}

function itemsOf(doc: SpecDocument, problems: Problems): Item[] {
  const entries: Array<[unknown, Path]> = Array.isArray(doc.data) ? doc.data.map((d, i) => [d, [i]]) : [[doc.data, []]];
  return entries.flatMap(([data, path]) => {
    const parsed = object.safeParse(data);
    if (!parsed.success) return problems.addZod({ doc, path }, [], parsed.error) ?? [];
    const { kind, metadata: meta, spec } = parsed.data;
    if (!KINDS_READ.includes(kind) && !KINDS_IGNORED.includes(kind)) {
      return problems.add({ doc, path }, ['kind'], `OpenSLO kind ${kind} is not read by mlwarden; expected one of ${[...KINDS_READ, ...KINDS_IGNORED].join(', ')}`) ?? [];
    }
    return [{ doc, path, kind, name: meta.name, labels: meta.labels, spec }];
  });
}

/** Objects by kind and name; a name used twice for one kind is a problem. */
function index(items: Item[], problems: Problems): Map<string, Map<string, Item>> {
  const byKind = new Map<string, Map<string, Item>>();
  for (const item of items) {
    const named = byKind.get(item.kind) ?? new Map<string, Item>();
    const first = named.get(item.name);
    if (first) problems.add(item, ['metadata', 'name'], `${item.kind} "${item.name}" is already defined at ${where(first.doc, first.path)}`);
    else named.set(item.name, item);
    byKind.set(item.kind, named);
  }
  return byKind;
}

class Reader {
  constructor(
    private readonly objects: Map<string, Map<string, Item>>,
    private readonly problems: Problems,
    private readonly now: number,
  ) {}

  private named(kind: string, name: string): Item | undefined {
    return this.objects.get(kind)?.get(name);
  }

  /** The PromQL of one ratioMetric side, if its source is Prometheus and the query takes a window. */
  private query(at: Item, path: Path, m: Metric): string | undefined {
    const ref = m.metricSource.metricSourceRef;
    const source = ref === undefined ? undefined : this.named('DataSource', ref);
    const type = m.metricSource.type ?? (source ? String(fieldOf(source.spec, 'type') ?? '') : undefined);
    if (type === undefined) return this.problems.add(at, [...path, 'metricSource'], ref === undefined ? 'needs a type (Prometheus)' : `no DataSource named "${ref}" in the files given`);
    if (type.toLowerCase() !== 'prometheus') {
      return this.problems.add(at, [...path, 'metricSource', 'type'], `${type} metric sources cannot become Prometheus rules; only Prometheus sources are imported`);
    }
    const q = m.metricSource.spec.query;
    if (q === undefined || q.trim() === '') return this.problems.add(at, [...path, 'metricSource', 'spec', 'query'], 'is required');
    if (!/\{\{\s*\.window\s*\}\}/.test(q)) {
      return this.problems.add(at, [...path, 'metricSource', 'spec', 'query'], 'needs {{.window}} where the range goes (e.g. sum(rate(x[{{.window}}]))): the query is evaluated over each alert window and the period');
    }
    return q;
  }

  sli(at: Item, path: Path, spec: SliSpec): Sli | undefined {
    const ratio = spec.ratioMetric;
    if (spec.thresholdMetric !== undefined || ratio === undefined) {
      return this.problems.add(at, path, 'only ratioMetric SLIs are imported: a thresholdMetric needs Timeslices budgeting, which mlwarden does not do');
    }
    const side = (name: 'good' | 'bad' | 'total' | 'raw') => (ratio[name] ? this.query(at, [...path, 'ratioMetric', name], ratio[name] as Metric) : undefined);
    if (ratio.raw) {
      const raw = side('raw');
      if (raw === undefined) return undefined;
      return ratio.rawType === 'success' ? { type: 'prometheus', good_query: raw, total_query: '1' } : { type: 'prometheus', error_query: raw, total_query: '1' };
    }
    if ((ratio.good === undefined) === (ratio.bad === undefined) || ratio.total === undefined) {
      return this.problems.add(at, [...path, 'ratioMetric'], 'needs total and exactly one of good and bad (or raw)');
    }
    const [main, total] = [side(ratio.good ? 'good' : 'bad'), side('total')];
    if (main === undefined || total === undefined) return undefined;
    return ratio.good ? { type: 'prometheus', good_query: main, total_query: total } : { type: 'prometheus', error_query: main, total_query: total };
  }

  private indicator(at: Item, spec: SloSpec): Sli | undefined {
    const o = spec.objectives[0];
    const inline = spec.indicator ?? o?.indicator;
    if (inline) return this.sli(at, ['spec', spec.indicator ? 'indicator' : 'objectives', ...(spec.indicator ? [] : [0, 'indicator']), 'spec'], inline.spec);
    const ref = spec.indicatorRef ?? o?.indicatorRef;
    const refPath = spec.indicatorRef !== undefined ? ['spec', 'indicatorRef'] : ['spec', 'objectives', 0, 'indicatorRef'];
    if (ref === undefined) return this.problems.add(at, ['spec'], 'needs indicator or indicatorRef');
    const sli = this.named('SLI', ref);
    if (!sli) return this.problems.add(at, refPath, `no SLI named "${ref}" in the files given`);
    const parsed = sliSpec.safeParse(sli.spec);
    if (!parsed.success) return this.problems.addZod(sli, ['spec'], parsed.error);
    return this.sli(sli, ['spec'], parsed.data);
  }

  private window(at: Item, spec: SloSpec): SloWindow | undefined {
    const w = spec.timeWindow[0] as SloSpec['timeWindow'][number];
    const match = OPENSLO_DURATION.exec(w.duration);
    const path = ['spec', 'timeWindow', 0];
    if (!match) return this.problems.add(at, [...path, 'duration'], `"${w.duration}" is not an OpenSLO duration like 28d, 1w or 1M`);
    if (w.isRolling) {
      const ms = parseDuration(w.duration);
      if (ms === undefined) return this.problems.add(at, [...path, 'duration'], `a rolling window of ${w.duration} has no fixed length; use days or weeks (28d, 4w)`);
      return { kind: 'rolling', durationMs: ms };
    }
    // Calendar windows start on Monday (weeks) or the 1st (months) in the given zone; calendar.startTime only anchors that in OpenSLO.
    const unit = w.duration === '1w' ? 'week' : w.duration === '1M' ? 'month' : undefined;
    if (unit === undefined) return this.problems.add(at, [...path, 'duration'], `calendar windows of ${w.duration} are not supported; use 1w or 1M`);
    const timeZone = w.calendar?.timeZone ?? 'UTC';
    if (!isValidTimeZone(timeZone)) return this.problems.add(at, [...path, 'calendar', 'timeZone'], `"${timeZone}" is not an IANA time zone`);
    return { kind: 'calendar', unit, timeZone };
  }

  /** Policies inline or by reference; their conditions inline or by reference. */
  private policies(at: Item, spec: SloSpec): Array<{ labels: Record<string, string>; severities: string[] }> {
    return spec.alertPolicies.flatMap((entry, i) => {
      const path = ['spec', 'alertPolicies', i];
      const ref = typeof entry === 'string' ? entry : 'alertPolicyRef' in entry ? (entry.alertPolicyRef as string) : undefined;
      const found = ref === undefined ? undefined : this.named('AlertPolicy', ref);
      if (ref !== undefined && !found) return this.problems.add(at, path, `no AlertPolicy named "${ref}" in the files given`) ?? [];
      const owner = found ?? at;
      const raw = found ? found.spec : fieldOf(entry, 'spec');
      const parsed = policySpec.safeParse(raw);
      if (!parsed.success) return this.problems.addZod(owner, found ? ['spec'] : [...path, 'spec'], parsed.error) ?? [];
      const severities = parsed.data.conditions.flatMap((c, j) => {
        if (!('conditionRef' in c)) return c.spec.severity ?? [];
        const cond = this.named('AlertCondition', String(c.conditionRef));
        if (!cond) return this.problems.add(owner, [...(found ? [] : path), 'spec', 'conditions', j, 'conditionRef'], `no AlertCondition named "${String(c.conditionRef)}" in the files given`) ?? [];
        return conditionSpec.safeParse(cond.spec).data?.severity ?? [];
      });
      const labels = found ? found.labels : (metadata.safeParse(fieldOf(entry, 'metadata')).data?.labels ?? {});
      return [{ labels, severities }];
    });
  }

  /** Which severities exist and what `severity` label they carry, from the policies' conditions. */
  private routing(policies: Array<{ severities: string[] }>, warnings: string[]): Record<Severity, SeverityRouting> {
    const named = policies.flatMap((p) => p.severities);
    const routing = { page: { disabled: false, labels: {}, annotations: {} }, ticket: { disabled: false, labels: {}, annotations: {} } } as Record<Severity, SeverityRouting>;
    if (named.length === 0) return routing;
    const unknown = named.filter((s) => SEVERITIES[s.toLowerCase()] === undefined);
    if (unknown.length > 0) {
      warnings.push(`alert severities ${unknown.join(', ')} are not page/critical or ticket/warning; both page and ticket alerts are generated`);
      return routing;
    }
    for (const severity of ['page', 'ticket'] as const) {
      const own = named.filter((s) => SEVERITIES[s.toLowerCase()] === severity);
      routing[severity] = { disabled: own.length === 0, labels: own[0] && own[0] !== severity ? { severity: own[0] } : {}, annotations: {} };
    }
    return routing;
  }

  slo(item: Item): Slo | undefined {
    const parsed = sloSpec.safeParse(item.spec);
    if (!parsed.success) return this.problems.addZod(item, ['spec'], parsed.error);
    const spec = parsed.data;
    const method = spec.budgetingMethod;
    if (method !== 'Occurrences') {
      return this.problems.add(item, ['spec', 'budgetingMethod'], `${method} budgets are not supported: mlwarden counts good and total events (Occurrences), not good time slices`);
    }
    const o = spec.objectives[0] as SloSpec['objectives'][number];
    const target = o.target ?? (o.targetPercent === undefined ? undefined : Number((o.targetPercent / 100).toPrecision(15)));
    if (target === undefined) this.problems.add(item, ['spec', 'objectives', 0], 'needs target (0.999) or targetPercent (99.9)');
    const [sli, window] = [this.indicator(item, spec), this.window(item, spec)];
    const policies = this.policies(item, spec);
    if (target === undefined || sli === undefined || window === undefined) return undefined;
    const warnings: string[] = [];
    const routing = this.routing(policies, warnings);
    const tiers = DEFAULT_TIERS.map((t) => ({ ...t }));
    tiers.forEach((t) => {
      const reason = tierFeasibility(t, target, nominalLengthMs(window, this.now)).reason;
      if (reason) warnings.push(reason);
    });
    return {
      name: item.name,
      service: spec.service,
      description: spec.description,
      objective: target,
      window,
      sli,
      groupBy: [],
      labels: item.labels,
      alerting: {
        name: item.name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('') + 'SloBurn',
        labels: Object.assign({}, ...policies.map((p) => p.labels)) as Record<string, string>,
        annotations: {},
        page: routing.page,
        ticket: routing.ticket,
        guard: { minEvents: 0, minBadEvents: 0 },
        tiers,
      },
      source: { format: 'openslo', file: item.doc.file, document: item.doc.index },
      warnings: warnings.map((w) => `${where(item.doc, item.path)}: ${w}`),
    };
  }
}

export const opensloReader: FormatReader = {
  format: 'openslo',
  claims: (doc) => {
    const first: unknown = Array.isArray(doc.data) ? doc.data[0] : doc.data;
    return fieldOf(first, 'apiVersion') === 'openslo/v1';
  },
  read(docs, now) {
    const problems = new Problems();
    const items = docs.flatMap((d) => itemsOf(d, problems));
    const reader = new Reader(index(items, problems), problems, now);
    const slos = items.filter((i) => i.kind === 'SLO').flatMap((i) => reader.slo(i) ?? []);
    return { slos, problems: problems.list };
  },
};
