import { createRequire } from 'node:module';

/**
 * Scrapes a Prometheus /metrics endpoint (text format 0.0.4) and returns its samples and histograms,
 * typed. Shared by the dcgm-exporter and serving-metrics collectors.
 */

export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromBucket {
  /** Upper bound, in the metric's own unit (+Infinity for the last bucket). */
  readonly le: number;
  /** Cumulative count of observations <= le, as exposed. */
  readonly count: number;
}

export interface PromHistogram {
  /** The series' labels without `le`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Ascending by `le`. */
  readonly buckets: readonly PromBucket[];
  readonly sum: number;
  readonly count: number;
}

export interface PromScrape {
  /** Counter, gauge and untyped samples by sample name (a counter under its exposed name, e.g. `x_total`). */
  readonly samples: ReadonlyMap<string, readonly PromSample[]>;
  /** Histograms by family name (without `_bucket`, `_sum`, `_count`). */
  readonly histograms: ReadonlyMap<string, readonly PromHistogram[]>;
}

export type ScrapeFailure = 'unreachable' | 'timeout' | 'status' | 'parse';

/** A scrape that failed; the message names the URL and the reason. */
export class ScrapeError extends Error {
  constructor(readonly url: string, readonly reason: ScrapeFailure, detail: string) {
    super(`scraping ${url} failed (${reason}): ${detail}`);
    this.name = 'ScrapeError';
  }
}

/** Asks for the classic text format, not OpenMetrics or protobuf. */
export const PROMETHEUS_TEXT_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
export const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;

interface ParsedFamily {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

// The package ships no type declarations (and is CommonJS).
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

const FOLDED_TYPE_LINE = /^# TYPE (\S+) (histogram|summary)[ \t\r]*$/gm;

/** A sample value: the text format spells infinities `+Inf`/`-Inf`, which Number() does not read. */
export function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * Parses an exposition. parse-prometheus-text-format folds every labelled histogram (and summary)
 * series into one unlabelled object (it drops the labels and all but one series), so those TYPE lines
 * are declared untyped before parsing: their `_bucket`, `_sum`, `_count` (and quantile) samples then
 * come back with their labels, and histograms are regrouped here; summaries stay plain samples. A final
 * line without a newline is dropped by the parser, hence the `\n`.
 */
export function parseExposition(text: string): PromScrape {
  const histogramNames = new Set<string>();
  const untyped = text.replace(FOLDED_TYPE_LINE, (_line, name: string, type: string) => {
    if (type === 'histogram') histogramNames.add(name);
    return `# TYPE ${name} untyped`;
  });
  const samples = new Map<string, PromSample[]>();
  for (const family of parsePrometheusTextFormat(`${untyped}\n`)) {
    const list = samples.get(family.name) ?? [];
    for (const m of family.metrics) list.push({ labels: m.labels ?? {}, value: sampleValue(m.value ?? '') });
    if (list.length > 0) samples.set(family.name, list);
  }
  const histograms = new Map<string, PromHistogram[]>();
  for (const name of histogramNames) {
    histograms.set(name, assembleHistograms(samples.get(`${name}_bucket`) ?? [], samples.get(`${name}_sum`) ?? [], samples.get(`${name}_count`) ?? []));
    for (const suffix of ['_bucket', '_sum', '_count']) samples.delete(`${name}${suffix}`);
  }
  return { samples, histograms };
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}\u0001${labels[k]}`).join('\u0000');
}

function withoutLe(labels: Readonly<Record<string, string>>): Record<string, string> {
  const { le: _le, ...rest } = labels;
  return rest;
}

function assembleHistograms(buckets: readonly PromSample[], sums: readonly PromSample[], counts: readonly PromSample[]): PromHistogram[] {
  const series = new Map<string, { labels: Record<string, string>; buckets: PromBucket[]; sum: number; count: number }>();
  const entry = (labels: Record<string, string>) => {
    const key = seriesKey(labels);
    let found = series.get(key);
    if (!found) series.set(key, (found = { labels, buckets: [], sum: 0, count: 0 }));
    return found;
  };
  for (const b of buckets) entry(withoutLe(b.labels)).buckets.push({ le: sampleValue(b.labels.le ?? ''), count: b.value });
  for (const s of sums) entry({ ...s.labels }).sum = s.value;
  for (const c of counts) entry({ ...c.labels }).count = c.value;
  for (const s of series.values()) s.buckets.sort((x, y) => x.le - y.le);
  return [...series.values()];
}

export interface ScrapeOptions {
  timeoutMs?: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** Fetches and parses a /metrics URL; throws ScrapeError naming the URL and what went wrong. */
export async function scrapeMetrics(url: string, options: ScrapeOptions = {}): Promise<PromScrape> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SCRAPE_TIMEOUT_MS;
  const body = await fetchExposition(url, timeoutMs, options.fetch ?? fetch);
  try {
    return parseExposition(body);
  } catch (error) {
    throw new ScrapeError(url, 'parse', error instanceof Error ? error.message : String(error));
  }
}

async function fetchExposition(url: string, timeoutMs: number, fetchFn: typeof fetch): Promise<string> {
  try {
    const response = await fetchFn(url, { headers: { accept: PROMETHEUS_TEXT_ACCEPT }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ScrapeError(url, 'status', `HTTP ${response.status} ${response.statusText}`.trim());
    }
    return await response.text();
  } catch (error) {
    if (error instanceof ScrapeError) throw error;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw new ScrapeError(url, 'timeout', `no answer within ${timeoutMs} ms`);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new ScrapeError(url, 'unreachable', `${error instanceof Error ? error.message : String(error)}${cause}`);
  }
}
