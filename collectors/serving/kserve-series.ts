import type { PromScrape } from '../prometheus-scrape.js';
import { histogramTotals, isServerError, MILLISECONDS, SECONDS, type SeriesTotals } from './serving-series.js';

/** Knative queue-proxy's histogram of the user container's response time, in ms (knative.dev "Service metrics"). */
export const QUEUE_PROXY_LATENCIES = 'revision_app_request_latencies';
/** The KServe model server's latency histograms (seconds, label model_name) that are whole requests, by endpoint. */
export const KSERVE_REQUEST_HISTOGRAMS = { request_predict_seconds: 'predict', request_explain_seconds: 'explain' } as const;

/** KServe names a component's Knative Service `<isvc>-predictor` (`-predictor-default` before 0.9). */
const COMPONENT_SUFFIX = /-(predictor|transformer|explainer)(?:-default)?$/;

/**
 * Request totals from a KServe pod. Queue-proxy's histogram is preferred: it sees every request with
 * its response code (5xx counted as errors), by InferenceService (model), component (endpoint) and
 * revision (version). Without it, the model server's request_predict_seconds/request_explain_seconds
 * (no status, so no errors). Preprocess and postprocess histograms time stages of the same requests and
 * are not counted.
 */
export function kserveSeries(scrape: PromScrape): SeriesTotals[] {
  const queueProxy = scrape.histograms.get(QUEUE_PROXY_LATENCIES);
  if (queueProxy && queueProxy.length > 0) {
    return queueProxy.map((h) => {
      const service = h.labels.service_name ?? h.labels.configuration_name ?? '';
      const component = COMPONENT_SUFFIX.exec(service);
      const identity = {
        model: component ? service.slice(0, component.index) : service,
        version: h.labels.revision_name ?? '',
        endpoint: component?.[1] ?? '',
        namespace: h.labels.namespace_name ?? '',
      };
      const failed = isServerError(h.labels.response_code ?? h.labels.response_code_class);
      return histogramTotals(QUEUE_PROXY_LATENCIES, h, identity, MILLISECONDS, failed);
    });
  }
  return Object.entries(KSERVE_REQUEST_HISTOGRAMS).flatMap(([name, endpoint]) =>
    (scrape.histograms.get(name) ?? []).map((h) =>
      histogramTotals(name, h, { model: h.labels.model_name ?? '', version: '', endpoint, namespace: '' }, SECONDS, false)),
  );
}
