import type { TelemetryIngest } from '../telemetry-ingest.js';
import { CumulativeDeltas } from './cumulative-deltas.js';
import { rejectionMessage, validItems, type ExportItem, type Rejection } from './export-items.js';
import { requestBatches } from './metric-points.js';
import type { OtlpMetricsRequest, OtlpTraceRequest } from './otlp-schema.js';
import { spanRequests } from './span-requests.js';

export interface OtlpReceiverDeps {
  ingest: TelemetryIngest;
  now: () => number;
}

/** What an export did: records stored, data points or spans rejected (with why), and ones mlwarden does not read. */
export interface ExportOutcome {
  accepted: number;
  rejected: number;
  message: string;
  ignored: number;
}

/**
 * OTLP exports → mlwarden request and feature records, through the same validated, group-committed
 * ingest path as POST /v1/telemetry/*: it resolves only once the records are stored.
 */
export class OtlpReceiver {
  private readonly deltas: CumulativeDeltas;

  constructor(private readonly deps: OtlpReceiverDeps) {
    this.deltas = new CumulativeDeltas(BigInt(deps.now()) * 1_000_000n);
  }

  /** Series whose cumulative baseline is held in memory. */
  get cumulativeSeries(): number {
    return this.deltas.series;
  }

  async exportMetrics(request: OtlpMetricsRequest): Promise<ExportOutcome> {
    const mapping = requestBatches(request, this.deltas);
    return this.store(mapping.items, mapping.rejected, mapping.ignored, 'data points');
  }

  async exportTraces(request: OtlpTraceRequest): Promise<ExportOutcome> {
    const mapping = spanRequests(request);
    return this.store(mapping.items, [], mapping.ignored, 'spans');
  }

  private async store(items: ExportItem[], unmapped: Rejection[], ignored: number, unit: string): Promise<ExportOutcome> {
    const { valid, rejected } = validItems(items, this.deps.now());
    const requests = valid.flatMap((i) => i.requests);
    const features = valid.flatMap((i) => i.features);
    await Promise.all([this.accept('requests', requests), this.accept('features', features)]);
    // Rejected points move the baseline too: their totals are never stored, and the next delta must not include them.
    for (const item of items) item.advance?.();
    const all = [...unmapped, ...rejected];
    return { accepted: requests.length + features.length, rejected: all.length, message: rejectionMessage(all, unit), ignored };
  }

  private async accept(kind: 'requests' | 'features', records: unknown[]): Promise<void> {
    if (records.length > 0) await this.deps.ingest.accept(kind, JSON.stringify(records), 'application/json');
  }
}
