import { formatDuration } from './duration.js';

export type Severity = 'page' | 'ticket';

/** One multiwindow burn-rate tier: fire when both windows burn at least `factor` times the sustainable rate. */
export interface AlertTier {
  name: string;
  severity: Severity;
  /** Share of the period's error budget this tier lets burn before it fires (0.02 = 2%). */
  budgetFraction: number;
  longWindowMs: number;
  shortWindowMs: number;
  /** How long the condition must hold before the alert fires (Prometheus `for:`). */
  forMs: number;
}

const H = 3_600_000;

/**
 * The Google SRE Workbook tiers (Sloth's defaults): budget share and long window fixed, the short
 * window 1/12 of the long one. For a 30-day SLO: 2% in 1h → 14.4×, 5% in 6h → 6×, 10% in 1d → 3×,
 * 10% in 3d → 1×. Other periods keep the windows and rescale the factor.
 */
export const DEFAULT_TIERS: readonly AlertTier[] = [
  { name: 'page-fast', severity: 'page', budgetFraction: 0.02, longWindowMs: H, shortWindowMs: H / 12, forMs: 2 * 60_000 },
  { name: 'page-slow', severity: 'page', budgetFraction: 0.05, longWindowMs: 6 * H, shortWindowMs: H / 2, forMs: 15 * 60_000 },
  { name: 'ticket-fast', severity: 'ticket', budgetFraction: 0.1, longWindowMs: 24 * H, shortWindowMs: 2 * H, forMs: 60 * 60_000 },
  { name: 'ticket-slow', severity: 'ticket', budgetFraction: 0.1, longWindowMs: 72 * H, shortWindowMs: 6 * H, forMs: 3 * 60 * 60_000 },
];

/**
 * Burn-rate factor = budget fraction × period / long window: burning 2% of a 30-day budget in 1 hour
 * is 0.02 × 720h / 1h = 14.4 times the rate that would use exactly the whole budget in 30 days.
 */
export function burnFactor(tier: Pick<AlertTier, 'budgetFraction' | 'longWindowMs'>, periodMs: number): number {
  return (tier.budgetFraction * periodMs) / tier.longWindowMs;
}

/**
 * A tier can only fire if its threshold error ratio, factor × (1 − objective), is at most 1:
 * a 90% SLO's 14.4× page would need an error ratio of 144%.
 */
export function tierFeasibility(tier: AlertTier, objective: number, periodMs: number): { feasible: boolean; reason?: string } {
  const factor = burnFactor(tier, periodMs);
  const threshold = factor * (1 - objective);
  if (threshold <= 1) return { feasible: true };
  return {
    feasible: false,
    reason: `tier ${tier.name} (${factor.toFixed(3)}× over ${formatDuration(tier.longWindowMs)}) can never fire: it needs an error ratio of ${(threshold * 100).toFixed(1)}% with a ${(objective * 100).toFixed(3).replace(/\.?0+$/, '')}% objective`,
  };
}

/** Every window the tiers need, ascending, without duplicates. */
export function tierWindows(tiers: readonly AlertTier[]): number[] {
  return [...new Set(tiers.flatMap((t) => [t.shortWindowMs, t.longWindowMs]))].sort((a, b) => a - b);
}
