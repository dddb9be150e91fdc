import type { PromScrape } from '../prometheus-scrape.js';
import { histogramTotals, isServerError, SECONDS, type SeriesTotals } from './serving-series.js';

const SUFFIX = '_request_duration_seconds';
/** Label names read, in order of preference, for each identity field and for the response status. */
const MODEL_LABELS = ['model', 'model_name'];
const VERSION_LABELS = ['version', 'model_version'];
const ENDPOINT_LABELS = ['endpoint', 'handler', 'route', 'path'];
const STATUS_LABELS = ['status', 'code', 'status_code', 'response_code'];

function first(labels: Readonly<Record<string, string>>, names: readonly string[]): string | undefined {
  for (const name of names) if (labels[name] !== undefined) return labels[name];
  return undefined;
}

/**
 * Request totals from every `*_request_duration_seconds` histogram (e.g. http_request_duration_seconds):
 * model, version and endpoint from the usual labels, and the series of a 5xx status label counted as errors.
 */
export function genericSeries(scrape: PromScrape): SeriesTotals[] {
  return [...scrape.histograms].flatMap(([name, series]) =>
    name.endsWith(SUFFIX)
      ? series.map((h) => {
          const identity = { model: first(h.labels, MODEL_LABELS) ?? '', version: first(h.labels, VERSION_LABELS) ?? '', endpoint: first(h.labels, ENDPOINT_LABELS) ?? '', namespace: h.labels.namespace ?? '' };
          return histogramTotals(name, h, identity, SECONDS, isServerError(first(h.labels, STATUS_LABELS)));
        })
      : [],
  );
}
