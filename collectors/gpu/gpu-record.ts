/** A `gpu` telemetry record as the ingest API takes it (src/domain/telemetry/gpu.ts). */
export type GpuRecord = {
  ts: number;
  node: string;
  gpu_uuid: string;
  gpu_index: number;
  gpu_model: string;
  namespace: string;
  pod: string;
  job: string;
  util_pct: number;
  mem_used_bytes: number | null;
  mem_total_bytes: number | null;
  power_w: number | null;
  sm_active: number | null;
  labels: Record<string, string>;
};

export const MIB = 1024 * 1024;

/** Utilisation within the record's 0..100 (exporters round, and a driver can report a hair over 100). */
export function percent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

/** A 0..1 activity ratio within bounds; null when absent. */
export function ratio(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : Math.min(1, Math.max(0, value));
}
