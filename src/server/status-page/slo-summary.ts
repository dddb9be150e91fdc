import type { sloView } from '../routes/slos.js';

/** One SLO as GET /v1/slos shows it (sloView): the status page renders the same figures. */
export type SloSummary = ReturnType<typeof sloView>;

export type SloTier = SloSummary['tiers'][number];

export interface WindowBurn {
  window: string;
  rate: number | null;
  /** The lowest page / ticket factor among the tiers that read this window. */
  page: number | undefined;
  ticket: number | undefined;
}

const lowest = (tiers: SloTier[], severity: string): number | undefined => {
  const factors = tiers.filter((t) => t.severity === severity).map((t) => t.factor);
  return factors.length > 0 ? Math.min(...factors) : undefined;
};

/** Burn rate per alerting window (the period excluded), with the thresholds the tiers put on it. */
export function windowBurns(slo: SloSummary): WindowBurn[] {
  return Object.entries(slo.burn_rates)
    .filter(([window]) => window !== 'period')
    .map(([window, rate]) => {
      const tiers = slo.tiers.filter((t) => t.long_window === window || t.short_window === window);
      return { window, rate, page: lowest(tiers, 'page'), ticket: lowest(tiers, 'ticket') };
    });
}

export const HEALTH_LABEL: Record<string, string> = {
  burning: 'burning',
  'insufficient-traffic': 'insufficient traffic',
  'no-data': 'no data',
  healthy: 'healthy',
  'not-evaluated': 'not evaluated',
};

export const healthLabel = (status: string): string => HEALTH_LABEL[status] ?? status;
