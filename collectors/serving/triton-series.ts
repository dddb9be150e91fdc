import type { PromSample, PromScrape } from '../prometheus-scrape.js';
import { labelKey, type SeriesTotals } from './serving-series.js';

/** Triton's per-model request counters (Triton user guide, "Metrics": labels model, version). */
export const TRITON_METRICS = {
  success: 'nv_inference_request_success',
  failure: 'nv_inference_request_failure',
  durationUs: 'nv_inference_request_duration_us',
} as const;

/**
 * Request totals per Triton model version: count = successes + failures, errors = failures (summed over
 * `reason` where Triton splits them), latency sum from the cumulative request duration (µs). Triton
 * exposes no latency histogram by default, so batches carry no buckets. nv_inference_count is not used:
 * it counts inferences (batch items), not requests.
 */
export function tritonSeries(scrape: PromScrape): SeriesTotals[] {
  const byModel = new Map<string, SeriesTotals>();
  const add = (samples: readonly PromSample[] | undefined, apply: (t: SeriesTotals, value: number) => void) => {
    for (const s of samples ?? []) apply(entry(byModel, s.labels.model ?? '', s.labels.version ?? ''), s.value);
  };
  add(scrape.samples.get(TRITON_METRICS.success), (t, v) => (t.count += v));
  add(scrape.samples.get(TRITON_METRICS.failure), (t, v) => {
    t.count += v;
    t.errors += v;
  });
  add(scrape.samples.get(TRITON_METRICS.durationUs), (t, v) => (t.sumMs += v / 1000));
  return [...byModel.values()];
}

function entry(byModel: Map<string, SeriesTotals>, model: string, version: string): SeriesTotals {
  const key = labelKey('triton', { model, version });
  let totals = byModel.get(key);
  if (!totals) {
    totals = { model, version, endpoint: '', namespace: '', key, count: 0, errors: 0, sumMs: 0, boundsMs: [], cumulative: [] };
    byModel.set(key, totals);
  }
  return totals;
}
