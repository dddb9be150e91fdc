import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DEFAULT_CALENDAR, formatDuration, type GroupAssessment } from '../domain/slo/index.js';
import { SeriesGroups } from './series-groups.js';
import { alertableGroups, type SloEvaluation } from './slo-evaluator.js';

/** At most this many groups of one SLO are exported; the rest are counted in mlwarden_slo_series_dropped_total. */
export const MAX_GROUPS_PER_SLO = 50;

const groupLabel = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** SLO gauges on /metrics; label sets are bounded (slo × group (capped) × window). */
export class SloMetrics {
  private readonly sli: Gauge<'slo' | 'group' | 'window'>;
  private readonly burn: Gauge<'slo' | 'group' | 'window'>;
  private readonly budget: Gauge<'slo' | 'group'>;
  private readonly calendarBudget: Gauge<'slo' | 'group' | 'calendar'>;
  private readonly objective: Gauge<'slo'>;
  private readonly firing: Gauge<'slo' | 'group' | 'severity'>;
  private readonly dropped: Counter<'slo'>;
  readonly duration: Histogram<'slo'>;
  readonly errors: Counter<'slo'>;
  private readonly lastEvaluation: Gauge<'slo'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sli = new Gauge({ name: 'mlwarden_slo_sli_ratio', help: 'SLI (good/valid events) per SLO, group and window; window="period" is the SLO period so far.', labelNames: ['slo', 'group', 'window'], registers });
    this.burn = new Gauge({ name: 'mlwarden_slo_burn_rate', help: 'Error-budget burn rate per SLO, group and window (1 = exactly the sustainable rate).', labelNames: ['slo', 'group', 'window'], registers });
    this.budget = new Gauge({ name: 'mlwarden_slo_error_budget_remaining_ratio', help: 'Share of the period error budget left (negative when overspent).', labelNames: ['slo', 'group'], registers });
    this.calendarBudget = new Gauge({ name: 'mlwarden_slo_calendar_budget_remaining_ratio', help: 'Share of the error budget left for the current calendar week or month (label calendar), e.g. to freeze risky actions under 10%.', labelNames: ['slo', 'group', 'calendar'], registers });
    this.objective = new Gauge({ name: 'mlwarden_slo_objective_ratio', help: 'SLO objective as a fraction.', labelNames: ['slo'], registers });
    this.firing = new Gauge({ name: 'mlwarden_slo_alert_firing', help: '1 while an SLO alert of this severity fires for the group.', labelNames: ['slo', 'group', 'severity'], registers });
    this.dropped = new Counter({ name: 'mlwarden_slo_series_dropped_total', help: `Groups not exported because an SLO had more than ${MAX_GROUPS_PER_SLO}.`, labelNames: ['slo'], registers });
    this.duration = new Histogram({ name: 'mlwarden_slo_evaluation_duration_seconds', help: 'Time to evaluate one SLO.', labelNames: ['slo'], buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    this.errors = new Counter({ name: 'mlwarden_slo_evaluation_errors_total', help: 'SLO evaluations that failed (the previous figures stay exported).', labelNames: ['slo'], registers });
    this.lastEvaluation = new Gauge({ name: 'mlwarden_slo_last_evaluation_timestamp_seconds', help: 'When the SLO was last evaluated successfully.', labelNames: ['slo'], registers });
  }

  private readonly series = new SeriesGroups();

  /** Replaces every series of the SLO with this evaluation's figures (so vanished groups disappear). */
  record(e: SloEvaluation): void {
    const slo = e.slo.name;
    this.series.clear(slo);
    const { unit, timeZone } = e.slo.calendar ?? DEFAULT_CALENDAR;
    const calendar = `${unit} ${timeZone}`;
    this.objective.set({ slo }, e.slo.objective);
    this.lastEvaluation.set({ slo }, e.evaluatedAt / 1000);
    const groups = alertableGroups(e);
    if (groups.length > MAX_GROUPS_PER_SLO) this.dropped.inc({ slo }, groups.length - MAX_GROUPS_PER_SLO);
    for (const g of groups.slice(0, MAX_GROUPS_PER_SLO)) this.recordGroup(slo, calendar, g);
    if (e.slo.groupBy.length > 0) this.recordGroup(slo, calendar, e.overall, '');
  }

  setFiring(slo: string, labels: Record<string, string>, severity: string, firing: boolean): void {
    this.firing.set({ slo, group: groupLabel(labels), severity }, firing ? 1 : 0);
  }

  private recordGroup(slo: string, calendar: string, g: GroupAssessment, group = groupLabel(g.labels)): void {
    const set = (gauge: Gauge<string>, labels: Record<string, string>, value: number | undefined) => this.series.set(slo, gauge, labels, value);
    for (const w of [...g.windows.map((x) => ({ ...x, window: formatDuration(x.windowMs) })), { ...g.period, window: 'period' }]) {
      set(this.sli, { slo, group, window: w.window }, w.sli);
      set(this.burn, { slo, group, window: w.window }, w.burnRate);
    }
    set(this.budget, { slo, group }, g.budget.remainingFraction);
    set(this.calendarBudget, { slo, group, calendar }, g.calendarBudget.remainingFraction);
  }
}
