import { z } from 'zod';
import { count, labels, nonNegative, optionalLabel, requiredLabel } from './fields.js';
import { timestamp } from './timestamp.js';

export const gpuRecord = z.strictObject({
  ts: timestamp,
  node: requiredLabel,
  gpu_uuid: requiredLabel,
  gpu_index: count.max(65_535).default(0),
  gpu_model: optionalLabel,
  namespace: optionalLabel,
  pod: optionalLabel,
  job: optionalLabel,
  util_pct: z.number().min(0).max(100),
  mem_used_bytes: count.nullable().default(null),
  mem_total_bytes: count.nullable().default(null),
  power_w: nonNegative.nullable().default(null),
  sm_active: z.number().min(0).max(1).nullable().default(null),
  labels,
});

export type GpuRow = z.output<typeof gpuRecord>;
