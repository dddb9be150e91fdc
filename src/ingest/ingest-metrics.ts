import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TELEMETRY_KINDS } from '../domain/telemetry/index.js';

/** Ingest's self-telemetry on /metrics; labels are bounded (kind and outcome only). */
export interface IngestMetrics {
  rows: Counter<'kind' | 'outcome'>;
  requests: Counter<'kind' | 'status'>;
  queueRows: Gauge<'kind'>;
  flushSeconds: Histogram<'kind'>;
  flushRows: Histogram<'kind'>;
  insertErrors: Counter<'kind'>;
}

export function ingestMetrics(registry: Registry, pendingRows: (kind: string) => number): IngestMetrics {
  const metrics: IngestMetrics = {
    rows: new Counter({
      name: 'mlwarden_ingest_rows_total',
      help: 'Telemetry records received, by kind and outcome (accepted = committed to the store; rejected = invalid; refused = overloaded or store failure).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'mlwarden_ingest_requests_total',
      help: 'Ingest HTTP requests by kind and response status.',
      labelNames: ['kind', 'status'],
      registers: [registry],
    }),
    queueRows: new Gauge({
      name: 'mlwarden_ingest_queue_rows',
      help: 'Records accepted by ingest and not yet committed (queued or being inserted).',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const kind of TELEMETRY_KINDS) this.set({ kind }, pendingRows(kind));
      },
    }),
    flushSeconds: new Histogram({
      name: 'mlwarden_ingest_flush_duration_seconds',
      help: 'Time to commit one batch (one INSERT) to the store.',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    flushRows: new Histogram({
      name: 'mlwarden_ingest_flush_rows',
      help: 'Records per committed batch.',
      labelNames: ['kind'],
      buckets: [1, 10, 100, 1000, 10_000, 50_000, 100_000, 500_000],
      registers: [registry],
    }),
    insertErrors: new Counter({
      name: 'mlwarden_ingest_insert_errors_total',
      help: 'Batches the store failed to commit (their requests were answered 503).',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
  for (const kind of TELEMETRY_KINDS) {
    for (const outcome of ['accepted', 'rejected', 'refused']) metrics.rows.inc({ kind, outcome }, 0);
    metrics.insertErrors.inc({ kind }, 0);
  }
  return metrics;
}
