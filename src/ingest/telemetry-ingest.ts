import type { Logger } from 'pino';
import { MlwardenError } from '../domain/errors.js';
import { TELEMETRY_KINDS, validateRecords, type TelemetryKind, type TelemetryRow } from '../domain/telemetry/index.js';
import type { TelemetryInserter } from '../store/index.js';
import { BatchWriter } from './batch-writer.js';
import { bodyFormat, parseRecords } from './body-parser.js';
import type { IngestMetrics } from './ingest-metrics.js';
import { inSpan } from '../self-tracing.js';

export interface IngestOptions {
  maxBatchRows: number;
  flushIntervalMs: number;
  maxPendingRows: number;
  /** Request bodies being parsed and validated at once never exceed this many bytes (beyond it: 429). */
  maxInflightBytes: number;
  retryAfterSeconds: number;
}

export interface IngestDeps {
  inserter: TelemetryInserter;
  options: IngestOptions;
  now: () => number;
  logger: Logger;
  metrics?: (pendingRows: (kind: string) => number) => IngestMetrics;
}

/** Body → records → validated rows → group-committed INSERT; resolves only once the rows are stored. */
export class TelemetryIngest {
  private readonly writers: Map<TelemetryKind, BatchWriter<TelemetryRow>>;
  private readonly metrics: IngestMetrics | undefined;

  constructor(private readonly deps: IngestDeps) {
    this.writers = new Map(TELEMETRY_KINDS.map((kind) => [kind, this.writerFor(kind)]));
    this.metrics = deps.metrics?.((kind) => this.pendingRows(kind as TelemetryKind));
  }

  private inflightBytes = 0;

  pendingRows(kind: TelemetryKind): number {
    return this.writers.get(kind)?.pendingRows ?? 0;
  }

  /**
   * Admission before a body is read: refuses at once when the kind's queue is already full, or when
   * the bodies in flight would pass the byte budget (so memory is bounded by the budget, not by how
   * many clients send at once). Returns a release function to call when the request is answered.
   */
  admit(kind: TelemetryKind, declaredBytes: number): () => void {
    const { maxPendingRows, maxInflightBytes, retryAfterSeconds } = this.deps.options;
    if (this.pendingRows(kind) >= maxPendingRows) {
      throw new MlwardenError('overloaded', `ingest queue for ${kind} is full; retry later`, { retryAfterSeconds });
    }
    if (this.inflightBytes > 0 && this.inflightBytes + declaredBytes > maxInflightBytes) {
      throw new MlwardenError('overloaded', `ingest is reading ${this.inflightBytes} bytes of requests; retry later`, { retryAfterSeconds });
    }
    this.inflightBytes += declaredBytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflightBytes -= declaredBytes;
    };
  }

  /** Counts an answered ingest request (kind is 'unknown' for paths that named no known kind). */
  countResponse(kind: string, status: number): void {
    this.metrics?.requests.inc({ kind: (TELEMETRY_KINDS as readonly string[]).includes(kind) ? kind : 'unknown', status: String(status) });
  }

  /** Accepts one request body for a kind; throws MlwardenError (invalid, overloaded, unavailable, ...). */
  accept(kind: TelemetryKind, body: string, contentType: string | undefined): Promise<{ accepted: number }> {
    return inSpan('mlwarden.ingest', { 'mlwarden.telemetry.kind': kind, 'http.request.body.size': body.length }, () => this.acceptBody(kind, body, contentType));
  }

  private async acceptBody(kind: TelemetryKind, body: string, contentType: string | undefined): Promise<{ accepted: number }> {
    let rows: TelemetryRow[];
    try {
      const records = parseRecords(body, bodyFormat(contentType));
      rows = validateRecords(kind, records, this.deps.now());
    } catch (error) {
      this.metrics?.rows.inc({ kind, outcome: 'rejected' });
      throw error;
    }
    try {
      await (this.writers.get(kind) as BatchWriter<TelemetryRow>).write(rows);
    } catch (error) {
      const tooLarge = error instanceof MlwardenError && error.kind === 'too-large';
      this.metrics?.rows.inc({ kind, outcome: tooLarge ? 'rejected' : 'refused' }, rows.length);
      throw error;
    }
    this.metrics?.rows.inc({ kind, outcome: 'accepted' }, rows.length);
    return { accepted: rows.length };
  }

  /** Commits what was accepted, refusing new writes; call before closing the store. */
  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.close()));
  }

  private writerFor(kind: TelemetryKind): BatchWriter<TelemetryRow> {
    const { inserter, options, logger } = this.deps;
    return new BatchWriter<TelemetryRow>({
      ...options,
      flush: (rows) => inSpan('mlwarden.ingest.insert', { 'mlwarden.telemetry.kind': kind, 'mlwarden.rows': rows.length }, () => inserter.insert(kind, rows)),
      onFlush: ({ rows, seconds, error }) => {
        this.metrics?.flushSeconds.observe({ kind }, seconds);
        if (error === undefined) {
          this.metrics?.flushRows.observe({ kind }, rows);
          return;
        }
        this.metrics?.insertErrors.inc({ kind });
        logger.error({ kind, rows, err: error }, 'telemetry insert failed; requests answered 503');
      },
    });
  }
}

export function unknownKind(kind: string): MlwardenError {
  return new MlwardenError('not-found', `unknown telemetry kind "${kind.slice(0, 40)}"; expected one of ${TELEMETRY_KINDS.join(', ')}`);
}
