import type { AlertTier, Severity } from './alert-windows.js';
import type { SloWindow } from './period.js';
import type { Sli } from './sli-kinds.js';
import type { TrafficGuard } from './tier-evaluation.js';

export type SpecFormat = 'native' | 'openslo' | 'sloth';

export interface SeverityRouting {
  disabled: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The calendar period whose budget is reported beside the SLO's own (and that freeze guards read). */
export interface SloCalendar {
  unit: 'week' | 'month';
  timeZone: string;
}

/** An SLO as mlwarden evaluates it, whatever format it was written in. Objective is a fraction (0.999). */
export interface Slo {
  name: string;
  service: string;
  description: string;
  objective: number;
  window: SloWindow;
  /** Calendar budget period; this UTC month when absent. */
  calendar?: SloCalendar | undefined;
  sli: Sli;
  groupBy: string[];
  labels: Record<string, string>;
  alerting: {
    /** Alert name in Alertmanager and in generated rules (a Sloth spec keeps its own). */
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    page: SeverityRouting;
    ticket: SeverityRouting;
    guard: TrafficGuard;
    tiers: AlertTier[];
  };
  source: { format: SpecFormat; file: string; document: number };
  /** Problems that did not stop the SLO from loading (e.g. a tier that can never fire, in warn mode). */
  warnings: string[];
}

export const severityRouting = (slo: Slo, severity: Severity): SeverityRouting => slo.alerting[severity];
