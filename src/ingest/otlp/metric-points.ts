import { attributesOf, httpStatus, nanosToMs, requestIdentity, type Attributes } from './otlp-attributes.js';
import type { CumulativeDeltas, HistogramTotals } from './cumulative-deltas.js';
import type { ExportItem, Rejection } from './export-items.js';
import { ERROR_STATUS_FROM } from '../../domain/telemetry/index.js';
import { TEMPORALITY, type OtlpHistogramPoint, type OtlpMetric, type OtlpMetricsRequest, type OtlpScope } from './otlp-schema.js';

/** Request-duration histograms mlwarden reads, with the unit assumed when the metric states none. */
const DURATION_METRICS: Record<string, string> = {
  'http.server.request.duration': 's', // current HTTP semantic conventions
  'http.server.duration': 'ms', // the conventions before v1.20
};

const MS_PER_UNIT: Record<string, number> = { s: 1000, ms: 1 };

export interface MetricsMapping {
  items: ExportItem[];
  rejected: Rejection[];
  /** Data points of metrics mlwarden does not read (not an error). */
  ignored: number;
}

interface MetricContext {
  resource: Attributes;
  /** Identifies the metric's series in CumulativeDeltas, with the point's attributes appended. */
  seriesPrefix: unknown[];
  msPerUnit: number;
}

/** ExportMetricsServiceRequest → one pre-aggregated request batch per request-duration data point. */
export function requestBatches(request: OtlpMetricsRequest, deltas: CumulativeDeltas): MetricsMapping {
  const mapping: MetricsMapping = { items: [], rejected: [], ignored: 0 };
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attributesOf(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) addMetric(mapping, { resource, scope: sm.scope, metric }, deltas);
    }
  }
  return mapping;
}

function addMetric(mapping: MetricsMapping, source: { resource: Attributes; scope: OtlpScope | undefined; metric: OtlpMetric }, deltas: CumulativeDeltas): void {
  const { resource, scope, metric } = source;
  const points = metric.histogram?.dataPoints ?? [];
  const defaultUnit = DURATION_METRICS[metric.name ?? ''];
  if (defaultUnit === undefined || metric.histogram === undefined) {
    mapping.ignored += points.length;
    return;
  }
  const unit = metric.unit || defaultUnit;
  const msPerUnit = MS_PER_UNIT[unit];
  const temporality = metric.histogram.aggregationTemporality;
  const known = temporality === TEMPORALITY.delta || temporality === TEMPORALITY.cumulative;
  const problem = msPerUnit === undefined ? `unit "${unit.slice(0, 20)}" is not s or ms` : known ? undefined : 'aggregation temporality is neither DELTA nor CUMULATIVE';
  if (problem !== undefined || msPerUnit === undefined) {
    points.forEach((_, i) => mapping.rejected.push({ what: `${metric.name} point ${i}`, reason: problem ?? '' }));
    return;
  }
  const context = { resource, seriesPrefix: [sortedEntries(resource), scope?.name ?? '', scope?.version ?? '', metric.name, unit], msPerUnit };
  points.forEach((point, i) => {
    const result = pointItem(context, point, temporality === TEMPORALITY.cumulative ? deltas : undefined, `${metric.name} point ${i}`);
    if ('reason' in result) mapping.rejected.push(result);
    else mapping.items.push(result);
  });
}

function sortedEntries(attributes: Attributes): Array<[string, unknown]> {
  return [...attributes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function totalsOf(point: OtlpHistogramPoint): HistogramTotals | string {
  const bounds = point.explicitBounds ?? [];
  const bucketCounts = (point.bucketCounts ?? []).map(Number);
  if (bucketCounts.length > 0 && bucketCounts.length !== bounds.length + 1) {
    return `has ${bucketCounts.length} bucket counts for ${bounds.length} explicit bounds (expected bounds + 1)`;
  }
  return { count: Number(point.count ?? 0), sum: point.sum ?? 0, bounds, bucketCounts };
}

function pointItem(context: MetricContext, point: OtlpHistogramPoint, deltas: CumulativeDeltas | undefined, what: string): ExportItem | Rejection {
  const totals = totalsOf(point);
  if (typeof totals === 'string') return { what, reason: totals };
  const own = attributesOf(point.attributes);
  let delta: HistogramTotals | undefined = totals;
  let advance: (() => void) | undefined;
  if (deltas) {
    const seriesKey = JSON.stringify([...context.seriesPrefix, sortedEntries(own)]);
    const result = deltas.delta(seriesKey, { ...totals, startNanos: BigInt(point.startTimeUnixNano ?? 0), timeNanos: BigInt(point.timeUnixNano ?? 0) });
    delta = result.delta;
    advance = result.advance;
  }
  // A point with no requests in its interval adds nothing a row would say.
  const requests = delta === undefined || delta.count === 0 ? [] : [batchRecord(context, own, nanosToMs(point.timeUnixNano), delta)];
  return { what, requests, features: [], advance };
}

function batchRecord(context: MetricContext, own: Attributes, ts: number, delta: HistogramTotals): Record<string, unknown> {
  const status = httpStatus(own);
  return {
    ts,
    ...requestIdentity(own, context.resource),
    count: delta.count,
    errors: status !== undefined && status >= ERROR_STATUS_FROM ? delta.count : 0,
    latency_sum_ms: delta.sum * context.msPerUnit,
    latency_buckets: latencyBuckets(delta, context.msPerUnit),
  };
}

/** OTLP bucket i holds (bounds[i-1], bounds[i]]; the last one is unbounded. Keys are upper bounds in ms. */
function latencyBuckets(delta: HistogramTotals, msPerUnit: number): Record<string, number> {
  const buckets: Record<string, number> = {};
  delta.bucketCounts.forEach((n, i) => {
    const bound = delta.bounds[i];
    // toPrecision drops the float noise of unit conversion (0.075 s * 1000 is 75.00000000000001).
    const key = bound === undefined ? '+Inf' : String(Number((bound * msPerUnit).toPrecision(12)));
    buckets[key] = (buckets[key] ?? 0) + n;
  });
  return buckets;
}
