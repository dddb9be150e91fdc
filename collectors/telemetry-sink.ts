/**
 * Where collectors send what they gather: records in the ingest API's JSON shape for one telemetry
 * kind (see src/domain/telemetry). Inside `mlwarden serve` the sink is the server's own ingest
 * path; `mlwarden collect` sends to a server's ingest API (http-sink.ts). Resolves once accepted;
 * rejects when the records were not accepted (the caller keeps them and retries).
 */
export type TelemetryKind = 'runs' | 'gpu' | 'requests' | 'features';

export type TelemetrySink = (kind: TelemetryKind, records: ReadonlyArray<Record<string, unknown>>) => Promise<void>;
