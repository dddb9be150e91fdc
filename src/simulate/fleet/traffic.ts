/**
 * Serving traffic of one model version for one minute, as the pre-aggregated request batch a
 * metrics scraper would send: diurnal request volume, log-normal latencies bucketed like a
 * Prometheus histogram, and errors at the version's error rate.
 */
import type { VersionProfile } from './scenario.js';
import type { SeededRandom } from './seeded-random.js';

export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;
const Z99 = 2.326;
const DAY_MS = 86_400_000;

export interface TrafficSource {
  model: string;
  namespace: string;
  version: string;
  requestsPerMinute: number;
  profile: VersionProfile;
}

/** Traffic peaks mid-afternoon UTC and bottoms out before dawn, at 40%–160% of the mean rate. */
export function diurnalFactor(ts: number): number {
  const dayFraction = (ts % DAY_MS) / DAY_MS;
  return 1 + 0.6 * Math.sin(2 * Math.PI * (dayFraction - 0.375));
}

/** Abramowitz–Stegun 7.1.26: erf to 1.5e-7, plenty for bucket shares. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496735) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

function logNormalCdf(x: number, mu: number, sigma: number): number {
  return 0.5 * (1 + erf((Math.log(x) - mu) / (sigma * Math.SQRT2)));
}

/** Per-bucket counts (not cumulative) summing to `count`; the rounding remainder goes to the modal bucket. */
export function latencyBuckets(count: number, latency: VersionProfile['latency_ms']): Record<string, number> {
  const mu = Math.log(latency.p50);
  const sigma = Math.log(latency.p99 / latency.p50) / Z99;
  const bounds = [...LATENCY_BUCKETS_MS, Number.POSITIVE_INFINITY];
  let below = 0;
  const shares = bounds.map((b) => {
    const cdf = Number.isFinite(b) ? logNormalCdf(b, mu, sigma) : 1;
    const share = cdf - below;
    below = cdf;
    return share;
  });
  const counts = shares.map((s) => Math.floor(s * count));
  const modal = shares.indexOf(Math.max(...shares));
  counts[modal] = (counts[modal] ?? 0) + count - counts.reduce((a, b) => a + b, 0);
  return Object.fromEntries(bounds.map((b, i) => [Number.isFinite(b) ? String(b) : '+Inf', counts[i] ?? 0]));
}

function meanLatency(latency: VersionProfile['latency_ms']): number {
  const sigma = Math.log(latency.p99 / latency.p50) / Z99;
  return latency.p50 * Math.exp((sigma * sigma) / 2);
}

/** One minute of requests starting at `minute`, or undefined when no request arrived. */
export function requestBatch(source: TrafficSource, minute: number, rng: SeededRandom, share = 1): Record<string, unknown> | undefined {
  const expected = source.requestsPerMinute * diurnalFactor(minute) * share;
  const count = Math.max(0, Math.round(expected + Math.sqrt(expected) * rng.normal()));
  if (count === 0) return undefined;
  const expectedErrors = count * source.profile.error_rate;
  const errors = Math.min(count, Math.max(0, Math.round(expectedErrors + Math.sqrt(expectedErrors) * rng.normal())));
  return {
    ts: minute + 59_999,
    model: source.model,
    version: source.version,
    namespace: source.namespace,
    count,
    errors,
    latency_buckets: latencyBuckets(count, source.profile.latency_ms),
    latency_sum_ms: Math.round(count * meanLatency(source.profile.latency_ms) * 1000) / 1000,
  };
}
