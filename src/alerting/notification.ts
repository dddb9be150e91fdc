/** What the alert engine hands to delivery for one alert. Times are epoch ms. */
export interface AlertNotification {
  /** Stable across evaluations: SLO name + severity + group labels. */
  dedupeKey: string;
  state: 'firing' | 'resolved';
  /** Includes alertname, severity (page|ticket), slo, and the group labels. */
  labels: Record<string, string>;
  /** summary, description, runbook_url … */
  annotations: Record<string, string>;
  startsAt: number;
  /** Set when resolved. */
  endsAt?: number;
  generatorURL: string;
}

export interface Notifier {
  readonly name: string;
  send(notifications: AlertNotification[], now: number): Promise<void>;
}
