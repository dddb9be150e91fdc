import { Hono } from 'hono';
import { MlwardenError } from '../../domain/errors.js';
import { DEFAULT_CALENDAR, describeWindow, formatDuration, type GroupAssessment, type Slo } from '../../domain/slo/index.js';
import type { SloEvaluation } from '../../analysis/index.js';
import type { AlertEventRecord, LatencyCoverage } from '../../store/index.js';
import { requireScope, type Authenticator } from '../auth.js';

export interface AlertView {
  severity: string;
  state: string;
  since: string;
  labels: Record<string, string>;
}

export interface SloRoutesDeps {
  auth: Authenticator;
  slos: () => readonly Slo[];
  latest: (name: string) => SloEvaluation | undefined;
  lastError: (name: string) => string | undefined;
  alerts: (name: string) => AlertView[];
  history: (name: string) => Promise<AlertEventRecord[]>;
  /** For latency SLIs: how the threshold met the period's data (exact vs interpolated inside a bucket). */
  latencyCoverage: (slo: Slo) => Promise<LatencyCoverage | undefined>;
}

function latencyNote(slo: Slo, c: LatencyCoverage) {
  const threshold = slo.sli.type === 'latency' ? slo.sli.threshold_ms : 0;
  const straddled = c.straddlingBuckets.map((b) => `(${b.lower}, ${b.upper}] ms`).join(', ');
  return {
    raw_events: c.rawEvents,
    bucketed_events: c.bucketedEvents,
    interpolated_events: c.interpolatedEvents,
    straddling_buckets: c.straddlingBuckets,
    note:
      c.interpolatedEvents > 0
        ? `the ${threshold} ms threshold falls inside bucket ${straddled}: ${c.interpolatedEvents} events there are counted by linear interpolation within the bucket (the rest exactly)`
        : `every event was judged exactly against ${threshold} ms (raw latencies, or a bucket bound equal to the threshold)`,
  };
}

const seconds = (ms: number | undefined) => (ms === undefined ? null : ms / 1000);

function groupView(g: GroupAssessment) {
  const burn: Record<string, number | null> = {};
  for (const w of g.windows) burn[formatDuration(w.windowMs)] = w.burnRate ?? null;
  burn.period = g.period.burnRate ?? null;
  return {
    labels: g.labels,
    status: g.health,
    sli: g.period.sli ?? null,
    events: g.period.counts,
    budget_remaining: g.budget.remainingFraction ?? null,
    calendar_budget_remaining: g.calendarBudget.remainingFraction ?? null,
    time_to_exhaustion_s: seconds(g.budget.timeToExhaustionMs),
    burn_rates: burn,
    tiers: g.tiers.map((t) => ({
      name: t.tier.name,
      severity: t.tier.severity,
      factor: t.factor,
      long_window: formatDuration(t.tier.longWindowMs),
      short_window: formatDuration(t.tier.shortWindowMs),
      long_burn: t.longBurn ?? null,
      short_burn: t.shortBurn ?? null,
      status: t.status,
    })),
  };
}

/** The SLO as the API shows it: ratios as fractions, durations as "5m"/"1h", times ISO-8601. */
export function sloView(slo: Slo, deps: Pick<SloRoutesDeps, 'latest' | 'lastError' | 'alerts'>) {
  const e = deps.latest(slo.name);
  const overall = e ? groupView(e.overall) : undefined;
  return {
    name: slo.name,
    service: slo.service,
    description: slo.description,
    objective: slo.objective,
    window: describeWindow(slo.window),
    sli: slo.sli,
    group_by: slo.groupBy,
    evaluated_at: e ? new Date(e.evaluatedAt).toISOString() : null,
    evaluation_error: deps.lastError(slo.name) ?? null,
    status: overall?.status ?? 'not-evaluated',
    sli_value: overall?.sli ?? null,
    budget_remaining: overall?.budget_remaining ?? null,
    calendar_budget: e
      ? { unit: (slo.calendar ?? DEFAULT_CALENDAR).unit, time_zone: (slo.calendar ?? DEFAULT_CALENDAR).timeZone, start: new Date(e.plan.calendar.start).toISOString(), end: new Date(e.plan.calendar.end).toISOString(), remaining: overall?.calendar_budget_remaining ?? null }
      : null,
    time_to_exhaustion_s: overall?.time_to_exhaustion_s ?? null,
    burn_rates: overall?.burn_rates ?? {},
    tiers: overall?.tiers ?? [],
    alerts: deps.alerts(slo.name),
    groups: e && slo.groupBy.length > 0 ? e.groups.map(groupView) : [],
    warnings: slo.warnings,
  };
}

export function sloRoutes(deps: SloRoutesDeps): Hono {
  const app = new Hono();
  app.get('/v1/slos', requireScope(deps.auth, 'read'), (c) => c.json(deps.slos().map((s) => sloView(s, deps))));
  app.get('/v1/slos/:name', requireScope(deps.auth, 'read'), async (c) => {
    const slo = deps.slos().find((s) => s.name === c.req.param('name'));
    if (!slo) throw new MlwardenError('not-found', `no SLO named ${c.req.param('name').slice(0, 64)}`);
    const history = (await deps.history(slo.name)).map((h) => ({
      at: new Date(h.ts).toISOString(),
      severity: h.severity,
      state: h.state,
      tier: h.tier,
      labels: h.group_labels,
      long_burn: h.long_burn,
      short_burn: h.short_burn,
    }));
    const coverage = await deps.latencyCoverage(slo);
    return c.json({ ...sloView(slo, deps), ...(coverage ? { latency_threshold: latencyNote(slo, coverage) } : {}), history });
  });
  return app;
}
