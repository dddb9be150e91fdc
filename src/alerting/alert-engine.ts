import type { Logger } from 'pino';
import { alertableGroups, type SloEvaluation } from '../analysis/index.js';
import { describeWindow, formatDuration, INACTIVE, stepAlert, type AlertState, type GroupAssessment, type Severity, type Slo } from '../domain/slo/index.js';
import type { AlertEventRecord } from '../store/index.js';
import type { AlertNotification } from './notification.js';

const SEVERITIES: readonly Severity[] = ['page', 'ticket'];
/** A resolved alert is handed to delivery for this long, so a lost "resolved" gets re-sent. */
const RESOLVED_NOTICE_MS = 10 * 60_000;

export interface TrackedAlert {
  key: string;
  slo: string;
  severity: Severity;
  groupLabels: Record<string, string>;
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  tier: string;
  longBurn: number | null;
  shortBurn: number | null;
}

export interface AlertEngineDeps {
  history: { record(events: AlertEventRecord[]): Promise<void>; latestStates(): Promise<AlertEventRecord[]> };
  /** Hands this cycle's firing and recently resolved alerts to delivery (which decides what to (re)send). */
  deliver: (notifications: AlertNotification[], now: number) => Promise<void>;
  onFiringChange?: (alert: TrackedAlert, firing: boolean) => void;
  generatorUrl: (slo: string) => string;
  logger: Logger;
}

export function dedupeKey(slo: string, severity: string, groupLabels: Record<string, string>): string {
  const group = Object.keys(groupLabels).sort().map((k) => `${k}=${groupLabels[k]}`).join(',');
  return `${slo}|${severity}|${group}`;
}

function describeBurn(slo: Slo, g: GroupAssessment, severity: Severity): { tier: string; longBurn: number | null; shortBurn: number | null; text: string } {
  const tiers = g.tiers.filter((t) => t.tier.severity === severity && t.status === 'burning');
  const worst = tiers.sort((a, b) => (b.longBurn ?? 0) / b.factor - (a.longBurn ?? 0) / a.factor)[0];
  if (!worst) return { tier: '', longBurn: null, shortBurn: null, text: '' };
  const long = formatDuration(worst.tier.longWindowMs);
  const short = formatDuration(worst.tier.shortWindowMs);
  const text = `burning its ${describeWindow(slo.window)} error budget at ${(worst.longBurn ?? 0).toFixed(1)}× over ${long} and ${(worst.shortBurn ?? 0).toFixed(1)}× over ${short} (threshold ${worst.factor.toFixed(2)}×, tier ${worst.tier.name})`;
  return { tier: tiers.map((t) => t.tier.name).join(','), longBurn: worst.longBurn ?? null, shortBurn: worst.shortBurn ?? null, text };
}

/**
 * Turns SLO evaluations into alerts: one per (SLO, severity, group), pending → firing → resolved with
 * the burning tier's `for:`. State changes are recorded in alert history, which also restores state
 * after a restart. SLOs whose evaluation failed keep their alerts as they were (an error is not a recovery).
 */
export class AlertEngine {
  private readonly alerts = new Map<string, TrackedAlert>();
  /** Annotations added from outside (the policy engine's escalations) to alerts while they fire. */
  private readonly notes = new Map<string, Record<string, string>>();

  constructor(private readonly deps: AlertEngineDeps) {}

  async restore(): Promise<void> {
    for (const e of await this.deps.history.latestStates()) {
      if (e.state !== 'firing' && e.state !== 'pending') continue;
      this.alerts.set(e.dedupe_key, {
        key: e.dedupe_key, slo: e.slo, severity: e.severity as Severity, groupLabels: e.group_labels,
        state: { phase: e.state, since: e.since, firingSince: e.firing_since ?? undefined },
        labels: { alertname: e.alertname, severity: e.severity, slo: e.slo, ...e.group_labels }, annotations: {},
        tier: e.tier, longBurn: e.long_burn, shortBurn: e.short_burn,
      });
    }
  }

  alertsFor(slo: string): TrackedAlert[] {
    return [...this.alerts.values()].filter((a) => a.slo === slo && a.state.phase !== 'inactive');
  }

  /** Adds annotations to the SLO's firing alerts until they stop firing (delivered with the next notification). */
  annotateFiring(slo: string, annotations: Record<string, string>): void {
    for (const a of this.alertsFor(slo)) {
      if (a.state.phase !== 'firing') continue;
      this.notes.set(a.key, { ...this.notes.get(a.key), ...annotations });
      a.annotations = { ...a.annotations, ...annotations };
    }
  }

  async process(evaluations: readonly SloEvaluation[], now: number): Promise<void> {
    const changes: AlertEventRecord[] = [];
    for (const e of evaluations) {
      const seen = new Set<string>();
      for (const g of alertableGroups(e)) {
        for (const severity of SEVERITIES) {
          if (e.slo.alerting[severity].disabled) continue;
          const alert = this.step(e.slo, g, severity, now, changes);
          seen.add(alert.key);
        }
      }
      for (const alert of this.alerts.values()) {
        if (alert.slo === e.slo.name && !seen.has(alert.key)) this.transition(alert, stepAlert(alert.state, false, now, 0), now, changes);
      }
    }
    await this.deps.history.record(changes);
    await this.deps.deliver(this.notifications(now), now);
    this.forgetSettled(now);
  }

  /** Inactive alerts and ones resolved long enough ago live on only in alert history. */
  private forgetSettled(now: number): void {
    for (const [key, a] of this.alerts) {
      if (a.state.phase === 'inactive' || (a.state.phase === 'resolved' && now - a.state.since > RESOLVED_NOTICE_MS)) this.alerts.delete(key);
    }
  }

  private step(slo: Slo, g: GroupAssessment, severity: Severity, now: number, changes: AlertEventRecord[]): TrackedAlert {
    const key = dedupeKey(slo.name, severity, g.labels);
    const burning = g.tiers.filter((t) => t.tier.severity === severity && t.status === 'burning');
    const forMs = burning.length > 0 ? Math.min(...burning.map((t) => t.tier.forMs)) : 0;
    const burn = describeBurn(slo, g, severity);
    const routing = slo.alerting[severity];
    const existing = this.alerts.get(key);
    const alert: TrackedAlert = {
      key, slo: slo.name, severity, groupLabels: g.labels, state: existing?.state ?? INACTIVE,
      labels: { ...slo.labels, ...slo.alerting.labels, ...routing.labels, ...g.labels, alertname: slo.alerting.name, severity, slo: slo.name },
      annotations: {
        summary: `SLO ${slo.name}${Object.keys(g.labels).length > 0 ? ` (${Object.entries(g.labels).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''} is burning its error budget too fast`,
        description: burn.text || existing?.annotations.description || `SLO ${slo.name} recovered`,
        objective: String(slo.objective),
        ...slo.alerting.annotations,
        ...routing.annotations,
        ...this.notes.get(key),
      },
      tier: burn.tier || existing?.tier || '',
      longBurn: burn.longBurn ?? existing?.longBurn ?? null,
      shortBurn: burn.shortBurn ?? existing?.shortBurn ?? null,
    };
    this.alerts.set(key, alert);
    this.transition(alert, stepAlert(alert.state, burning.length > 0, now, forMs), now, changes);
    return alert;
  }

  private transition(alert: TrackedAlert, next: AlertState, now: number, changes: AlertEventRecord[]): void {
    const previous = alert.state;
    alert.state = next;
    if (next.phase === previous.phase) return;
    if (next.phase !== 'firing') this.notes.delete(alert.key);
    if (next.phase === 'firing' || previous.phase === 'firing') this.deps.onFiringChange?.(alert, next.phase === 'firing');
    if (next.phase === 'firing') this.deps.logger.warn({ slo: alert.slo, severity: alert.severity, labels: alert.groupLabels, tier: alert.tier }, 'SLO alert firing');
    if (next.phase === 'resolved') this.deps.logger.info({ slo: alert.slo, severity: alert.severity, labels: alert.groupLabels }, 'SLO alert resolved');
    changes.push({
      ts: now, slo: alert.slo, severity: alert.severity, alertname: alert.labels.alertname ?? '', dedupe_key: alert.key, group_labels: alert.groupLabels,
      state: next.phase, tier: alert.tier, since: next.since, firing_since: next.firingSince ?? null, long_burn: alert.longBurn, short_burn: alert.shortBurn,
    });
  }

  private notifications(now: number): AlertNotification[] {
    const out: AlertNotification[] = [];
    for (const a of this.alerts.values()) {
      const resolvedRecently = a.state.phase === 'resolved' && now - a.state.since <= RESOLVED_NOTICE_MS;
      if (a.state.phase !== 'firing' && !resolvedRecently) continue;
      out.push({
        dedupeKey: a.key,
        state: a.state.phase === 'firing' ? 'firing' : 'resolved',
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.state.firingSince ?? a.state.since,
        ...(a.state.phase === 'resolved' ? { endsAt: a.state.since } : {}),
        generatorURL: this.deps.generatorUrl(a.slo),
      });
    }
    return out;
  }
}
