import { tierWindows, type Severity } from './alert-windows.js';
import { burnRate, errorRatio, type EventCounts } from './burn-rate.js';
import { errorBudget, type ErrorBudget } from './error-budget.js';
import { periodAt, type Period } from './period.js';
import type { Slo, SloCalendar } from './slo.js';
import { evaluateTier, type TierEvaluation } from './tier-evaluation.js';

const MINUTE = 60_000;

/** Evaluation windows end on a whole minute: the rollups count whole minutes. */
export const alignToMinute = (now: number): number => Math.floor(now / MINUTE) * MINUTE;

export interface EvaluationPlan {
  end: number;
  period: Period;
  /** The current calendar week or month (budgets people act on: "under 10% of this month's budget"). */
  calendar: Period;
  /** Window lengths the tiers need, ascending; the period and the calendar period are evaluated after them. */
  windowsMs: number[];
  /** Start of each window in windowsMs, then the period's start, then the calendar period's (counts line up with this). */
  starts: number[];
}

/** Unless a spec says otherwise, the calendar budget is this UTC month's. */
export const DEFAULT_CALENDAR: SloCalendar = { unit: 'month', timeZone: 'UTC' };

export function evaluationPlan(slo: Slo, now: number): EvaluationPlan {
  const end = alignToMinute(now);
  const period = periodAt(slo.window, end);
  const calendar = periodAt({ kind: 'calendar', ...(slo.calendar ?? DEFAULT_CALENDAR) }, end);
  const windowsMs = tierWindows(slo.alerting.tiers);
  return { end, period, calendar, windowsMs, starts: [...windowsMs.map((w) => end - w), alignToMinute(period.start), alignToMinute(calendar.start)] };
}

export type GroupHealth = 'healthy' | 'burning' | 'insufficient-traffic' | 'no-data';

export interface WindowFigures {
  windowMs: number;
  counts: EventCounts;
  sli: number | undefined;
  burnRate: number | undefined;
}

export interface GroupAssessment {
  labels: Record<string, string>;
  windows: WindowFigures[];
  period: { counts: EventCounts; sli: number | undefined; burnRate: number | undefined };
  budget: ErrorBudget;
  /** The same budget for the current calendar week/month so far (see Slo.calendar). */
  calendarBudget: ErrorBudget;
  tiers: TierEvaluation[];
  /** Severities with at least one tier burning now (before any `for:` delay). */
  burning: Severity[];
  health: GroupHealth;
}

function health(tiers: TierEvaluation[], burning: Severity[]): GroupHealth {
  if (burning.length > 0) return 'burning';
  if (tiers.every((t) => t.status === 'no-data')) return 'no-data';
  if (tiers.some((t) => t.status === 'insufficient-traffic')) return 'insufficient-traffic';
  return 'healthy';
}

/**
 * Assesses one group of an SLO from exact counts (aligned with plan.starts). The budget's current
 * burn rate, used for time to exhaustion, is the shortest long window's (1h by default).
 */
export function assessGroup(slo: Slo, plan: EvaluationPlan, labels: Record<string, string>, counts: readonly EventCounts[]): GroupAssessment {
  const byWindow = new Map(plan.windowsMs.map((w, i) => [w, counts[i] ?? { good: 0, total: 0 }]));
  const windows = plan.windowsMs.map((windowMs) => {
    const c = byWindow.get(windowMs) as EventCounts;
    return { windowMs, counts: c, sli: sliOf(c), burnRate: burnRate(c, slo.objective) };
  });
  const periodCounts = counts[plan.windowsMs.length] ?? { good: 0, total: 0 };
  const tiers = slo.alerting.tiers.map((tier) => evaluateTier(tier, slo.objective, plan.period.lengthMs, byWindow, slo.alerting.guard));
  const burning = [...new Set(tiers.filter((t) => t.status === 'burning').map((t) => t.tier.severity))];
  const shortestLong = [...slo.alerting.tiers].sort((a, b) => a.longWindowMs - b.longWindowMs)[0];
  const currentBurn = shortestLong ? burnRate(byWindow.get(shortestLong.longWindowMs) ?? { good: 0, total: 0 }, slo.objective) : undefined;
  return {
    labels,
    windows,
    period: { counts: periodCounts, sli: sliOf(periodCounts), burnRate: burnRate(periodCounts, slo.objective) },
    budget: errorBudget(periodCounts, slo.objective, plan.period, currentBurn),
    calendarBudget: errorBudget(counts[plan.windowsMs.length + 1] ?? { good: 0, total: 0 }, slo.objective, plan.calendar, currentBurn),
    tiers,
    burning,
    health: health(tiers, burning),
  };
}

function sliOf(c: EventCounts): number | undefined {
  const ratio = errorRatio(c);
  return ratio === undefined ? undefined : 1 - ratio;
}
