import { FeatureClientError } from './client-error.js';

export interface FeatureClientOptions {
  /** mlwarden's base URL, e.g. http://mlwarden:8080 (records go to {url}/v1/telemetry/features). */
  url: string;
  /** An ingest token (sent as `Authorization: Bearer …`). */
  token: string;
  model: string;
  version?: string;
  /** How often the current window is shipped (and histograms are cut), in ms. Default 10 000. */
  flushIntervalMs?: number;
  /** Records per POST; a window that reaches it is shipped at once. Default 1000. */
  maxBatch?: number;
  /** Observations held before the oldest are dropped (raw, or counted inside histograms). Default 100 000. */
  maxBufferedObservations?: number;
  /** Bin edges per numeric feature (ascending; the baseline's edges): those features ship as histograms. */
  baselineEdges?: Record<string, number[]>;
  /** Top-K categories per categorical feature; other values keep their name up to maxNewCategories per window, then "other". */
  categories?: Record<string, string[]>;
  /** Distinct categories outside the list kept by name per feature and window. Default 20. */
  maxNewCategories?: number;
  /** The feature name record()'s prediction is stored under. Default "prediction". */
  predictionFeature?: string;
  /** Per-request timeout, in ms. Default 10 000. */
  timeoutMs?: number;
  /** How long close() keeps trying to deliver, in ms. Default 5000. */
  closeTimeoutMs?: number;
  /** First retry delay and its cap, in ms (doubling with jitter). Defaults 500 and 30 000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The transport; the global fetch by default. */
  fetch?: typeof fetch;
  /** Epoch ms; Date.now by default. */
  now?: () => number;
  /** Uniform in [0, 1), for retry jitter; Math.random by default. */
  random?: () => number;
  /** Told about every dropped batch, retryable failure and unusable input; must not throw (if it does, it is ignored). */
  onError?: (error: Error) => void;
}

export interface ResolvedOptions {
  endpoint: string;
  authorization: string;
  model: string;
  version: string;
  flushIntervalMs: number;
  maxBatch: number;
  maxBufferedObservations: number;
  baselineEdges: ReadonlyMap<string, readonly number[]>;
  categories: ReadonlyMap<string, readonly string[]>;
  maxNewCategories: number;
  predictionFeature: string;
  timeoutMs: number;
  closeTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  onError: (error: Error) => void;
}

/** The ingest API refuses longer labels (model, version, feature, category). */
export const MAX_LABEL_LENGTH = 256;
/** The ingest API takes at most this many edges per histogram. */
const MAX_EDGES = 1000;

function invalid(message: string): FeatureClientError {
  return new FeatureClientError('config', message);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw invalid(`${name} must be a positive integer, got ${String(value)}`);
  return v;
}

function label(name: string, value: unknown, required: boolean): string {
  if (typeof value !== 'string' || value.length > MAX_LABEL_LENGTH || (required && value.length === 0)) {
    throw invalid(`${name} must be a ${required ? 'non-empty ' : ''}string of at most ${MAX_LABEL_LENGTH} characters, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value;
}

function endpointOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`url must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(`url must be http or https, got ${parsed.protocol}`);
  return `${url.replace(/\/+$/, '')}/v1/telemetry/features`;
}

function checkedEdges(feature: string, edges: unknown): number[] {
  const ok = Array.isArray(edges) && edges.length >= 1 && edges.length <= MAX_EDGES && edges.every((e, i) => Number.isFinite(e) && (i === 0 || e > edges[i - 1]));
  if (!ok) throw invalid(`baselineEdges.${feature} must be 1 to ${MAX_EDGES} finite, strictly increasing numbers`);
  return [...(edges as number[])];
}

function featureMap<T>(what: string, record: Record<string, T> | undefined, check: (feature: string, value: T) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const [feature, value] of Object.entries(record ?? {})) {
    label(`${what} feature name`, feature, true);
    map.set(feature, check(feature, value));
  }
  return map;
}

function checkedCategories(feature: string, categories: unknown): string[] {
  if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string' && c.length <= MAX_LABEL_LENGTH)) {
    throw invalid(`categories.${feature} must be an array of strings of at most ${MAX_LABEL_LENGTH} characters`);
  }
  return [...categories];
}

/** Fills defaults and throws a FeatureClientError('config') naming the first bad option. */
export function resolveOptions(o: FeatureClientOptions): ResolvedOptions {
  if (typeof o.token !== 'string' || o.token.length === 0) throw invalid('token must be a non-empty string');
  const transport = o.fetch ?? globalThis.fetch;
  if (typeof transport !== 'function') throw invalid('fetch is not available: pass options.fetch (Node 18+ has a global fetch)');
  const onError = o.onError ?? (() => {});
  return {
    endpoint: endpointOf(o.url),
    authorization: `Bearer ${o.token}`,
    model: label('model', o.model, true),
    version: label('version', o.version ?? '', false),
    flushIntervalMs: positiveInteger('flushIntervalMs', o.flushIntervalMs, 10_000),
    maxBatch: positiveInteger('maxBatch', o.maxBatch, 1000),
    maxBufferedObservations: positiveInteger('maxBufferedObservations', o.maxBufferedObservations, 100_000),
    baselineEdges: featureMap('baselineEdges', o.baselineEdges, checkedEdges),
    categories: featureMap('categories', o.categories, checkedCategories),
    maxNewCategories: o.maxNewCategories === 0 ? 0 : positiveInteger('maxNewCategories', o.maxNewCategories, 20),
    predictionFeature: label('predictionFeature', o.predictionFeature ?? 'prediction', true),
    timeoutMs: positiveInteger('timeoutMs', o.timeoutMs, 10_000),
    closeTimeoutMs: positiveInteger('closeTimeoutMs', o.closeTimeoutMs, 5000),
    retryBaseMs: positiveInteger('retryBaseMs', o.retryBaseMs, 500),
    retryMaxMs: positiveInteger('retryMaxMs', o.retryMaxMs, 30_000),
    fetch: transport,
    now: o.now ?? Date.now,
    random: o.random ?? Math.random,
    onError: (error) => {
      try {
        onError(error);
      } catch {
        // A broken handler must not break the host's request path or the delivery loop.
      }
    },
  };
}
