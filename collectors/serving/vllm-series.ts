import type { PromScrape } from '../prometheus-scrape.js';
import { histogramTotals, labelKey, SECONDS, type SeriesTotals } from './serving-series.js';

/** vLLM's end-to-end request latency histogram and finished-request counter (vLLM docs, "Production Metrics"; label model_name). */
export const VLLM_E2E_LATENCY = 'vllm:e2e_request_latency_seconds';
export const VLLM_REQUEST_SUCCESS = 'vllm:request_success_total';

/**
 * Request totals per vLLM model from the e2e latency histogram. vLLM exports no failed-request counter
 * (finished_reason `abort` is mostly clients going away), so errors are 0. Without the histogram, the
 * finished-request counter (summed over finished_reason) gives the count alone.
 */
export function vllmSeries(scrape: PromScrape): SeriesTotals[] {
  const histograms = scrape.histograms.get(VLLM_E2E_LATENCY) ?? [];
  if (histograms.length > 0) {
    return histograms.map((h) => histogramTotals(VLLM_E2E_LATENCY, h, { model: h.labels.model_name ?? '', version: '', endpoint: '', namespace: '' }, SECONDS, false));
  }
  const byModel = new Map<string, SeriesTotals>();
  for (const s of scrape.samples.get(VLLM_REQUEST_SUCCESS) ?? []) {
    const model = s.labels.model_name ?? '';
    const key = labelKey(VLLM_REQUEST_SUCCESS, { model_name: model });
    const totals = byModel.get(key) ?? { model, version: '', endpoint: '', namespace: '', key, count: 0, errors: 0, sumMs: 0, boundsMs: [], cumulative: [] };
    totals.count += s.value;
    byModel.set(key, totals);
  }
  return [...byModel.values()];
}
