import type { PromSample, PromScrape } from '../prometheus-scrape.js';
import { MIB, percent, ratio, type GpuRecord } from './gpu-record.js';
import { jobOf, type PodJobResolver } from './pod-job.js';

/** The dcgm-exporter fields a gpu row is made of (names as in dcgm-exporter's default-counters.csv). */
export const DCGM_FIELDS = {
  util: 'DCGM_FI_DEV_GPU_UTIL',
  fbUsed: 'DCGM_FI_DEV_FB_USED',
  fbFree: 'DCGM_FI_DEV_FB_FREE',
  power: 'DCGM_FI_DEV_POWER_USAGE',
  smActive: 'DCGM_FI_PROF_SM_ACTIVE',
  grEngineActive: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
} as const;

type Field = keyof typeof DCGM_FIELDS;

/** dcgm-exporter labels copied into the row's free-form `labels` (MIG instance, container). */
const EXTRA_LABELS = ['container', 'GPU_I_ID', 'GPU_I_PROFILE'] as const;

export interface DcgmRowOptions {
  ts: number;
  /** Used when a series has no `Hostname` label. */
  node: string;
  /** pod → job; without it the job is guessed from the pod name (jobFromPodName). */
  jobOf?: PodJobResolver;
}

interface Device {
  labels: Readonly<Record<string, string>>;
  values: Partial<Record<Field, number>>;
}

/**
 * One row per GPU (per MIG instance, and per pod when pods share a GPU) in a dcgm-exporter scrape.
 * A GPU without DCGM_FI_DEV_GPU_UTIL is left out: utilisation is the one required measurement.
 */
export function dcgmGpuRows(scrape: PromScrape, options: DcgmRowOptions): GpuRecord[] {
  const devices = new Map<string, Device>();
  for (const field of Object.keys(DCGM_FIELDS) as Field[]) {
    for (const sample of scrape.samples.get(DCGM_FIELDS[field]) ?? []) record(devices, sample, field);
  }
  const rows: GpuRecord[] = [];
  for (const device of devices.values()) {
    const row = toRow(device, options);
    if (row) rows.push(row);
  }
  return rows;
}

function record(devices: Map<string, Device>, sample: PromSample, field: Field): void {
  const l = sample.labels;
  if (!l.UUID || Number.isNaN(sample.value)) return;
  const key = [l.UUID, l.GPU_I_ID ?? '', l.namespace ?? '', l.pod ?? ''].join('\u0000');
  let device = devices.get(key);
  if (!device) devices.set(key, (device = { labels: l, values: {} }));
  device.values[field] = sample.value;
}

function toRow(device: Device, options: DcgmRowOptions): GpuRecord | undefined {
  const { labels: l, values: v } = device;
  if (v.util === undefined) return undefined;
  const pod = l.pod ?? '';
  const namespace = l.namespace ?? '';
  const extra = Object.fromEntries(EXTRA_LABELS.flatMap((name) => (l[name] ? [[name, l[name]]] : [])));
  return {
    ts: options.ts,
    node: l.Hostname || options.node,
    gpu_uuid: l.UUID as string,
    gpu_index: Number.parseInt(l.gpu ?? '0', 10) || 0,
    gpu_model: l.modelName ?? '',
    namespace,
    pod,
    job: jobOf(pod, namespace, options.jobOf),
    util_pct: percent(v.util),
    mem_used_bytes: v.fbUsed === undefined ? null : Math.round(v.fbUsed * MIB),
    mem_total_bytes: v.fbUsed === undefined || v.fbFree === undefined ? null : Math.round((v.fbUsed + v.fbFree) * MIB),
    power_w: v.power === undefined ? null : Math.max(0, v.power),
    sm_active: ratio(v.smActive ?? v.grEngineActive),
    labels: extra,
  };
}
