import type { z } from 'zod';
import { featureSchemaFor, type FeatureRow } from './features.js';
import { gpuRecord, type GpuRow } from './gpu.js';
import { requestSchemaFor, type RequestRow } from './requests.js';
import { runRecord, type RunRow } from './runs.js';

export const TELEMETRY_KINDS = ['runs', 'gpu', 'requests', 'features'] as const;
export type TelemetryKind = (typeof TELEMETRY_KINDS)[number];

export interface TelemetryRows {
  runs: RunRow;
  gpu: GpuRow;
  requests: RequestRow;
  features: FeatureRow;
}

export type TelemetryRow = TelemetryRows[TelemetryKind];

/** Picks the schema for one input record of a kind (some kinds accept two shapes). */
export const SCHEMA_FOR: { [K in TelemetryKind]: (input: unknown) => z.ZodType<TelemetryRows[K]> } = {
  runs: () => runRecord,
  gpu: () => gpuRecord,
  requests: requestSchemaFor,
  features: featureSchemaFor,
};

export function isTelemetryKind(value: string): value is TelemetryKind {
  return (TELEMETRY_KINDS as readonly string[]).includes(value);
}
