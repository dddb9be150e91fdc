import type { Sli, SliOf, SliType } from '../../domain/slo/index.js';
import { ident, qualified } from '../ddl.js';
import { filterCondition, type FilterShape } from './label-filter.js';

/**
 * Per SLI kind, the events ClickHouse counts: a source yielding one row per event (or per pre-counted
 * batch of events) with its label columns, per-row `good` and `total` counts, and the time that puts it
 * in a minute. window-counts.ts sums these per window; nothing here groups by minute first (the rollups
 * already are per minute, and summing rows directly is one aggregation instead of two).
 *
 * Values are bound parameters; table and column names come from this file only. Every source reads only
 * [{earliest}, {end}) and applies the SLOs' equality filters (one SLO's, or the union of a batch's).
 */
export interface EventSource {
  /** What follows FROM: a table or a subquery, with its WHERE clause. */
  from: string;
  /**
   * Column compared with window starts: `time >= start` must mean "in a minute at or after start" for
   * minute-aligned starts (raw timestamps qualify: a row is in minute m ≥ start iff its ts ≥ start).
   */
  time: string;
  /** The parameter type window starts bind as for `time` (matching the column avoids a per-row cast). */
  timeType: 'DateTime' | 'DateTime64(3)';
  /** Per-row counts of good and of valid events (numeric expressions over the source's columns). */
  good: string;
  total: string;
  params: Record<string, unknown>;
  /** Label columns the source exposes: what SLOs may filter and group by. */
  labels: readonly string[];
}

const range = (qualifier = '') => `${qualifier}ts >= {earliest:DateTime64(3)} AND ${qualifier}ts < {end:DateTime64(3)}`;
const REQUEST_LABELS = ['model', 'version', 'endpoint', 'namespace'] as const;
const RUN_LABELS = ['pipeline', 'namespace', 'model', 'version'] as const;
const REQUEST_FILTERS = REQUEST_LABELS;
const RUN_FILTERS = ['pipeline', 'namespace', 'model'] as const;

interface Build {
  db: string;
  /** Columns the shapes filter on (per-entity kinds group entities by them too). */
  filterColumns: readonly string[];
  /** Renders the filter condition (` AND …` or ''), binding its values; `qualifier` prefixes columns. */
  condition: (qualifier?: string) => string;
  params: Record<string, unknown>;
}

function availability(_: SliOf<'availability'>, b: Build): EventSource {
  return {
    from: `${qualified({ database: b.db }, 'requests_1m')}
WHERE minute >= toStartOfMinute({earliest:DateTime64(3)}) AND minute < {end:DateTime64(3)}${b.condition()}`,
    time: 'minute',
    timeType: 'DateTime',
    good: 'count - errors',
    total: 'count',
    params: b.params,
    labels: REQUEST_LABELS,
  };
}

/**
 * Raw requests count when their latency is at most the threshold. Batch rows count their buckets:
 * buckets whose upper bound is at most the threshold are good; the bucket the threshold falls into
 * counts the share (threshold − lower) / (upper − lower), assuming latencies spread evenly inside
 * a bucket (the interpolation histogram_quantile uses); a +Inf bucket is never good.
 */
function latency(s: SliOf<'latency'>, b: Build): EventSource {
  b.params.threshold = s.threshold_ms;
  const bucketGood = `arraySum(arrayMap((upper, n, lower) -> multiIf(upper <= {threshold:Float64}, toFloat64(n),
      lower < {threshold:Float64} AND isFinite(upper), n * ({threshold:Float64} - lower) / (upper - lower), 0.),
    bucket_bounds_ms, bucket_counts, arrayMap(i -> if(i = 1, 0., bucket_bounds_ms[i - 1]), arrayEnumerate(bucket_bounds_ms))))`;
  return {
    from: `${qualified({ database: b.db }, 'requests')}
WHERE ${range()}${b.condition()}`,
    time: 'ts',
    timeType: 'DateTime64(3)',
    good: `if(latency_ms IS NOT NULL, toFloat64(latency_ms <= {threshold:Float64}), ${bucketGood})`,
    total: 'if(latency_ms IS NOT NULL OR length(bucket_counts) > 0, count, 0)',
    params: b.params,
    labels: REQUEST_LABELS,
  };
}

/**
 * Label columns of a per-entity subquery: filter columns are grouped on (so an entity is counted per
 * filter value, exactly as a single SLO's WHERE would cut it), the rest are any() of the entity's rows.
 */
function entityLabels(labels: readonly string[], filterColumns: readonly string[], alias: string): { select: string; groupBy: string } {
  const select = labels.map((c) => (filterColumns.includes(c) ? `${alias}.${ident(c)} AS ${ident(c)}` : `any(${alias}.${ident(c)}) AS ${ident(c)}`));
  return { select: select.join(', '), groupBy: filterColumns.map((c) => `, ${ident(c)}`).join('') };
}

/** Runs of a kind that reached a terminal state, counted once each at their last terminal row. */
function finishedRuns(b: Build, runKind: string, extraWhere: string, goodExpr: string): EventSource {
  b.params.run_kind = runKind;
  const labels = entityLabels(RUN_LABELS, b.filterColumns, 'r');
  return {
    from: `(
  SELECT run_id, argMax(r.state, r.ts) AS final_state, max(r.ts) AS finished, max(r.attempt) AS attempts, ${labels.select}
  FROM ${qualified({ database: b.db }, 'runs')} AS r
  WHERE ${range('r.')} AND r.kind = {run_kind:String} AND r.state IN ('succeeded', 'failed')${extraWhere}${b.condition('r.')}
  GROUP BY run_id${labels.groupBy}
)`,
    time: 'finished',
    timeType: 'DateTime64(3)',
    good: goodExpr,
    total: '1',
    params: b.params,
    labels: RUN_LABELS,
  };
}

function scheduling(s: SliOf<'scheduling'>, b: Build): EventSource {
  b.params.threshold_ms = s.threshold_s * 1000;
  const kindFilter = s.run_kind === undefined ? '' : ' AND r.kind = {run_kind:String}';
  if (s.run_kind !== undefined) b.params.run_kind = s.run_kind;
  const columns = [...RUN_LABELS, 'kind'];
  const labels = entityLabels(columns, b.filterColumns, 'r');
  return {
    from: `(
  SELECT run_id, argMin(r.pending_ms, r.ts) AS pending, min(r.ts) AS started, ${labels.select}
  FROM ${qualified({ database: b.db }, 'runs')} AS r
  WHERE ${range('r.')} AND r.pending_ms IS NOT NULL${kindFilter}${b.condition('r.')}
  GROUP BY run_id${labels.groupBy}
)`,
    time: 'started',
    timeType: 'DateTime64(3)',
    good: 'pending <= {threshold_ms:UInt64}',
    total: '1',
    params: b.params,
    labels: columns,
  };
}

/** A GPU-minute is allocated when the GPU ran a pod; it is good when its mean utilisation reached the threshold. */
function gpuEfficiency(s: SliOf<'gpu_efficiency'>, b: Build): EventSource {
  b.params.threshold = s.threshold_pct;
  const columns = ['namespace', 'node', 'job', 'gpu_model'];
  const labels = entityLabels(columns, b.filterColumns, 'g');
  return {
    from: `(
  SELECT toStartOfMinute(g.ts) AS minute, g.gpu_uuid AS gpu_uuid, avg(g.util_pct) AS util, ${labels.select}
  FROM ${qualified({ database: b.db }, 'gpu_samples')} AS g
  WHERE ${range('g.')} AND g.pod != ''${b.condition('g.')}
  GROUP BY minute, gpu_uuid${labels.groupBy}
)`,
    time: 'minute',
    timeType: 'DateTime64(3)',
    good: 'util >= {threshold:Float64}',
    total: '1',
    params: b.params,
    labels: columns,
  };
}

/** Feature-windows scored by drift analysis: good when PSI stayed under threshold; insufficient-data windows are not valid events. */
function drift(s: SliOf<'drift'>, b: Build): EventSource {
  const features = s.features === undefined ? '' : ' AND feature IN {features:Array(String)}';
  if (s.features !== undefined) b.params.features = s.features;
  return {
    from: `${qualified({ database: b.db }, 'drift_scores')} FINAL
WHERE ${range()}${b.condition()}${features}`,
    time: 'ts',
    timeType: 'DateTime64(3)',
    good: "status = 'ok'",
    total: "status IN ('ok', 'drifting')",
    params: b.params,
    labels: ['model', 'version', 'feature'],
  };
}

type StoreSliType = Exclude<SliType, 'prometheus' | 'custom' | 'freshness'>;
export type MinuteEventsSli = Extract<Sli, { type: StoreSliType }>;

interface Kind<K extends StoreSliType> {
  /** SLI fields that are equality filters on label columns of the same name. */
  filters: readonly string[];
  /**
   * Each source row is independent events (a request, a rollup minute, a drift window): a row's
   * counts do not depend on the range read or on other filters, so SLOs with different filter columns
   * and windows can share one read. Per-entity kinds (runs, GPU-minutes) aggregate rows first and
   * share a read only with the same filter columns and earliest start.
   */
  rowwise: boolean;
  build: (s: SliOf<K>, b: Build) => EventSource;
}

const KINDS: { [K in StoreSliType]: Kind<K> } = {
  availability: { filters: REQUEST_FILTERS, rowwise: true, build: availability },
  latency: { filters: REQUEST_FILTERS, rowwise: true, build: latency },
  pipeline_success: { filters: RUN_FILTERS, rowwise: false, build: (_, b) => finishedRuns(b, 'pipeline', '', "final_state = 'succeeded'") },
  training_completion: { filters: RUN_FILTERS, rowwise: false, build: (_, b) => finishedRuns(b, 'training', '', "final_state = 'succeeded'") },
  validation_pass: { filters: RUN_FILTERS, rowwise: false, build: (_, b) => finishedRuns(b, 'evaluation', '', "final_state = 'succeeded'") },
  first_attempt_success: { filters: RUN_FILTERS, rowwise: false, build: (s, b) => finishedRuns(b, s.run_kind, '', "final_state = 'succeeded' AND attempts = 1") },
  artifact_upload: {
    filters: RUN_FILTERS,
    rowwise: false,
    build: (s, b) => {
      b.params.step_type = s.step_type;
      return finishedRuns(b, 'step', " AND r.labels['step_type'] = {step_type:String}", "final_state = 'succeeded'");
    },
  },
  scheduling: { filters: RUN_FILTERS, rowwise: false, build: scheduling },
  gpu_efficiency: { filters: ['namespace', 'job', 'node'], rowwise: false, build: gpuEfficiency },
  drift: { filters: ['model', 'version'], rowwise: true, build: drift },
};

const kindOf = (sli: MinuteEventsSli): Kind<StoreSliType> => KINDS[sli.type] as unknown as Kind<StoreSliType>;

export function hasMinuteEvents(sli: Sli): sli is MinuteEventsSli {
  return sli.type in KINDS;
}

/** The SLI's equality filters that are set: columns sorted, values in the same order. */
export function sliFilters(sli: MinuteEventsSli): { columns: string[]; values: string[] } {
  const fields = sli as unknown as Record<string, unknown>;
  const columns = kindOf(sli).filters.filter((c) => fields[c] !== undefined).sort();
  return { columns, values: columns.map((c) => String(fields[c])) };
}

/** Everything about the SLI except its filter values: SLIs with equal parameter keys count events the same way. */
export function sliParameterKey(sli: MinuteEventsSli): string {
  const filters = new Set(kindOf(sli).filters);
  const rest = Object.entries(sli as unknown as Record<string, unknown>).filter(([k, v]) => !filters.has(k) && v !== undefined);
  return JSON.stringify(rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const isRowwise = (sli: MinuteEventsSli): boolean => kindOf(sli).rowwise;

/**
 * The event source for SLIs of one kind and parameters (`sli` gives them) restricted to the rows any
 * of the filter shapes match. Bound parameters of the filters are named lf0, lf1, ….
 */
export function eventSource(sli: MinuteEventsSli, database: string, shapes: readonly FilterShape[]): EventSource {
  const params: Record<string, unknown> = {};
  const filterColumns = [...new Set(shapes.flatMap((s) => s.columns))].sort();
  let rendered: string | undefined;
  const condition = (qualifier = '') => {
    rendered ??= filterCondition(shapes, params, 'lf', qualifier);
    return rendered;
  };
  return kindOf(sli).build(sli, { db: database, filterColumns, condition, params });
}
