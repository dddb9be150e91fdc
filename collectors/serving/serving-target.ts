import type { PromScrape } from '../prometheus-scrape.js';
import { genericSeries } from './generic-series.js';
import { kserveSeries } from './kserve-series.js';
import type { SeriesTotals } from './serving-series.js';
import { tritonSeries } from './triton-series.js';
import { vllmSeries } from './vllm-series.js';

export type ServingFlavour = 'kserve' | 'triton' | 'vllm' | 'generic';

/** A /metrics endpoint of a model server; the overrides replace what the metrics say (or fill what they lack). */
export type ServingTarget = {
  url: string;
  flavour: ServingFlavour;
  model?: string;
  version?: string;
  namespace?: string;
};

const SERIES_OF: Record<ServingFlavour, (scrape: PromScrape) => SeriesTotals[]> = {
  kserve: kserveSeries,
  triton: tritonSeries,
  vllm: vllmSeries,
  generic: genericSeries,
};

export const SERVING_FLAVOURS = Object.keys(SERIES_OF) as ServingFlavour[];

/** The target's request series with its overrides applied; series naming no model (and no override) are left out. */
export function targetSeries(scrape: PromScrape, target: ServingTarget): SeriesTotals[] {
  return SERIES_OF[target.flavour](scrape)
    .map((s) => ({ ...s, model: target.model ?? s.model, version: target.version ?? s.version, namespace: target.namespace ?? s.namespace }))
    .filter((s) => s.model !== '');
}

/** When the scraped process started (process_start_time_seconds), to tell a restart from a quiet spell. */
export function processStart(scrape: PromScrape): number | undefined {
  return scrape.samples.get('process_start_time_seconds')?.[0]?.value;
}
