import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Each collector's health on /metrics: when it last succeeded, how often it failed, how far behind
 * it is, and what it sent. One instance per registry, shared by every collector (label `collector`).
 */
export class CollectorHealth {
  private readonly lastSuccess: Gauge<'collector'>;
  private readonly errors: Counter<'collector' | 'reason'>;
  private readonly lag: Gauge<'collector'>;
  private readonly records: Counter<'collector' | 'kind'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.lastSuccess = new Gauge({ name: 'mlwarden_collector_last_success_timestamp_seconds', help: 'When the collector last completed a scrape, poll or watch event.', labelNames: ['collector'], registers });
    this.errors = new Counter({ name: 'mlwarden_collector_errors_total', help: 'Collector failures by reason (scrape, parse, send, watch).', labelNames: ['collector', 'reason'], registers });
    this.lag = new Gauge({ name: 'mlwarden_collector_lag_seconds', help: 'Age of the newest data the collector has delivered (how far behind it is).', labelNames: ['collector'], registers });
    this.records = new Counter({ name: 'mlwarden_collector_records_total', help: 'Telemetry records the collector delivered, by kind.', labelNames: ['collector', 'kind'], registers });
  }

  succeeded(collector: string, at: number): void {
    this.lastSuccess.set({ collector }, at / 1000);
  }

  failed(collector: string, reason: string): void {
    this.errors.inc({ collector, reason });
  }

  /** `newestData` is the timestamp (ms) of the newest record delivered. */
  caughtUp(collector: string, newestData: number, now: number): void {
    this.lag.set({ collector }, Math.max(0, (now - newestData) / 1000));
  }

  delivered(collector: string, kind: string, count: number): void {
    if (count > 0) this.records.inc({ collector, kind }, count);
  }
}
