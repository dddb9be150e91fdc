import { z } from 'zod';
import { DEFAULT_TIERS, tierFeasibility, type AlertTier } from './alert-windows.js';
import { parseDuration } from './duration.js';
import { isValidTimeZone, nominalLengthMs, type SloWindow } from './period.js';
import { GROUPABLE, sliSchema } from './sli-kinds.js';
import type { Slo } from './slo.js';

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 5m, 1h, 30d` });
    return z.NEVER;
  }
  return ms;
});

const window = z.union([
  duration.transform((durationMs): SloWindow => ({ kind: 'rolling', durationMs })),
  z
    .strictObject({ calendar: z.enum(['week', 'month']), time_zone: z.string().default('UTC') })
    .refine((w) => isValidTimeZone(w.time_zone), { message: 'is not an IANA time zone', path: ['time_zone'] })
    .transform((w): SloWindow => ({ kind: 'calendar', unit: w.calendar, timeZone: w.time_zone })),
]);

const stringMap = z.record(z.string(), z.string()).default({});
const routing = z.strictObject({ disabled: z.boolean().default(false), labels: stringMap, annotations: stringMap }).prefault({});

const tierOverride = z.strictObject({
  name: z.string().min(1),
  severity: z.enum(['page', 'ticket']).optional(),
  budget_percent: z.number().positive().max(100).optional(),
  long_window: duration.optional(),
  short_window: duration.optional(),
  for: z.string().transform((t, ctx) => {
    const ms = parseDuration(t);
    if (ms === undefined && t !== '0') {
      ctx.addIssue({ code: 'custom', message: `"${t}" is not a duration` });
      return z.NEVER;
    }
    return ms ?? 0;
  }).optional(),
  disabled: z.boolean().default(false),
});

export const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const nativeSpec = z.strictObject({
  apiVersion: z.literal('mlwarden.dev/v1'),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: z.string().max(63).regex(K8S_NAME, 'must be a lowercase DNS label (a-z, 0-9, -)'),
    labels: stringMap,
  }),
  spec: z.strictObject({
    service: z.string().default(''),
    description: z.string().default(''),
    objective: z.number().gt(0).lt(100),
    window: window.prefault('30d'),
    /** The calendar period whose budget remaining is exported beside the window's (default: this UTC month). */
    budget_calendar: z
      .strictObject({ unit: z.enum(['week', 'month']).default('month'), time_zone: z.string().default('UTC') })
      .refine((c) => isValidTimeZone(c.time_zone), { message: 'is not an IANA time zone', path: ['time_zone'] })
      .optional(),
    sli: sliSchema,
    group_by: z.array(z.string()).default([]),
    alerting: z
      .strictObject({
        name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Prometheus alert name').optional(),
        labels: stringMap,
        annotations: stringMap,
        page: routing,
        ticket: routing,
        min_events: z.number().int().min(0).default(100),
        min_bad_events: z.number().int().min(0).default(0),
        tiers: z.array(tierOverride).default([]),
        infeasible_tiers: z.enum(['reject', 'warn']).default('reject'),
      })
      .prefault({}),
  }),
});

export type NativeSpec = z.output<typeof nativeSpec>;

type TierOverride = z.output<typeof tierOverride>;

/** Defaults with per-name overrides applied; a new name must give every field. */
export function resolveTiers(overrides: TierOverride[], ctx: z.RefinementCtx): AlertTier[] {
  const tiers = new Map(DEFAULT_TIERS.map((t) => [t.name, { ...t }]));
  const disabled = new Set<string>();
  overrides.forEach((o, i) => {
    const base = tiers.get(o.name);
    const merged = {
      name: o.name,
      severity: o.severity ?? base?.severity,
      budgetFraction: o.budget_percent === undefined ? base?.budgetFraction : o.budget_percent / 100,
      longWindowMs: o.long_window ?? base?.longWindowMs,
      shortWindowMs: o.short_window ?? (o.long_window !== undefined ? o.long_window / 12 : base?.shortWindowMs),
      forMs: o.for ?? base?.forMs ?? 0,
    };
    const missing = Object.entries(merged).filter(([, v]) => v === undefined).map(([k]) => k);
    if (missing.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'alerting', 'tiers', i], message: `new tier "${o.name}" needs severity, budget_percent and long_window` });
      return;
    }
    if ((merged.shortWindowMs as number) >= (merged.longWindowMs as number)) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'alerting', 'tiers', i, 'short_window'], message: 'must be shorter than long_window' });
    }
    tiers.set(o.name, merged as AlertTier);
    if (o.disabled) disabled.add(o.name);
  });
  return [...tiers.values()].filter((t) => !disabled.has(t.name));
}

function alertName(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('') + 'SloBurn';
}

/** Cross-field checks and conversion of a parsed native spec into an Slo. */
export function sloFromNative(spec: NativeSpec, source: Slo['source'], now: number, ctx: z.RefinementCtx): Slo {
  const s = spec.spec;
  const objective = Number((s.objective / 100).toPrecision(12)); // 99.9 / 100 is 0.9990000000000001 in binary
  const allowed = GROUPABLE[s.sli.type];
  s.group_by.forEach((label, i) => {
    if (!allowed.includes(label)) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'group_by', i], message: `"${label}" is not a label of ${s.sli.type} SLIs; use one of: ${allowed.join(', ') || '(none)'}` });
    }
  });
  const tiers = resolveTiers(s.alerting.tiers, ctx);
  const warnings: string[] = [];
  const periodMs = nominalLengthMs(s.window, now);
  tiers.forEach((tier) => {
    const check = tierFeasibility(tier, objective, periodMs);
    if (check.feasible) return;
    if (s.alerting.infeasible_tiers === 'warn') warnings.push(check.reason as string);
    else ctx.addIssue({ code: 'custom', path: ['spec', 'alerting', 'tiers'], message: `${check.reason}; lower the tier's budget, disable it, or set infeasible_tiers: warn` });
  });
  return {
    name: spec.metadata.name,
    service: s.service,
    description: s.description,
    objective,
    window: s.window,
    calendar: s.budget_calendar ? { unit: s.budget_calendar.unit, timeZone: s.budget_calendar.time_zone } : undefined,
    sli: s.sli,
    groupBy: s.group_by,
    labels: spec.metadata.labels,
    alerting: {
      name: s.alerting.name ?? alertName(spec.metadata.name),
      labels: s.alerting.labels,
      annotations: s.alerting.annotations,
      page: s.alerting.page,
      ticket: s.alerting.ticket,
      guard: { minEvents: s.alerting.min_events, minBadEvents: s.alerting.min_bad_events },
      tiers,
    },
    source,
    warnings,
  };
}
