export { TelemetryIngest, unknownKind } from './telemetry-ingest.js';
export type { IngestDeps, IngestOptions } from './telemetry-ingest.js';
export { ingestMetrics } from './ingest-metrics.js';
export type { IngestMetrics } from './ingest-metrics.js';
export { BatchWriter } from './batch-writer.js';
export type { BatchWriterOptions } from './batch-writer.js';
export { bodyFormat, parseRecords } from './body-parser.js';
