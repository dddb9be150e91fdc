/**
 * Pull collectors: they read telemetry where an ML platform already exposes it and hand records to a
 * TelemetrySink — the server's own ingest path inside `mlwarden serve`, or a server's ingest API
 * (httpSink) when run alone as `mlwarden collect <kind>`. The feature client for serving apps is a
 * separate library in ./features.
 */
export type { TelemetryKind, TelemetrySink } from './telemetry-sink.js';
export { CollectorHealth } from './collector-health.js';
export { httpSink, RejectedBatch } from './http-sink.js';
export type { HttpSinkOptions } from './http-sink.js';
export { GpuCollector, DEFAULT_GPU_INTERVAL_MS } from './gpu/gpu-collector.js';
export type { GpuCollectorOptions } from './gpu/gpu-collector.js';
export { NVIDIA_SMI_ARGS } from './gpu/nvidia-smi-csv.js';
export { ServingCollector, DEFAULT_SERVING_INTERVAL_MS } from './serving/serving-collector.js';
export type { ServingCollectorOptions } from './serving/serving-collector.js';
export { SERVING_FLAVOURS } from './serving/serving-target.js';
export type { ServingFlavour, ServingTarget } from './serving/serving-target.js';
export { RunCollector } from './runs/index.js';
export type { RunCollectorOptions } from './runs/index.js';
