import type { Sli, SliOf, SliType } from '../../domain/slo/index.js';
import { qualified } from '../ddl.js';

/**
 * Per kind, a query yielding one row per minute (and group labels) with exact `good` and `total`
 * event counts. Values are bound parameters; table and column names come from this file only.
 * Every query reads only [{earliest}, {end}).
 */
export interface MinuteEvents {
  sql: string;
  params: Record<string, unknown>;
  /** Group-label columns the query exposes (a superset of what SLOs may group by). */
  labels: readonly string[];
}

interface Filter {
  column: string;
  value: string | undefined;
}

/** Equality filters on a table's columns; `table` qualifies them where the SELECT aliases shadow column names. */
function where(filters: Filter[], params: Record<string, unknown>, table = ''): string {
  const prefix = table === '' ? '' : `${table}.`;
  return filters
    .filter((f) => f.value !== undefined)
    .map((f) => {
      params[`f_${f.column}`] = f.value;
      return ` AND ${prefix}${f.column} = {f_${f.column}:String}`;
    })
    .join('');
}

const RANGE = 'ts >= {earliest:DateTime64(3)} AND ts < {end:DateTime64(3)}';
const REQUEST_LABELS = ['model', 'version', 'endpoint', 'namespace'] as const;
const RUN_LABELS = ['pipeline', 'namespace', 'model', 'version'] as const;

function requestFilters(s: SliOf<'availability'> | SliOf<'latency'>): Filter[] {
  return REQUEST_LABELS.map((column) => ({ column, value: s[column] }));
}

function availability(s: SliOf<'availability'>, db: string): MinuteEvents {
  const params: Record<string, unknown> = {};
  const sql = `SELECT minute, model, version, endpoint, namespace, toFloat64(sum(count) - sum(errors)) AS good, toFloat64(sum(count)) AS total
FROM ${qualified({ database: db }, 'requests_1m')}
WHERE minute >= toStartOfMinute({earliest:DateTime64(3)}) AND minute < {end:DateTime64(3)}${where(requestFilters(s), params)}
GROUP BY minute, model, version, endpoint, namespace`;
  return { sql, params, labels: REQUEST_LABELS };
}

/**
 * Raw requests count when their latency is at most the threshold. Batch rows count their buckets:
 * buckets whose upper bound is at most the threshold are good; the bucket the threshold falls into
 * counts the share (threshold − lower) / (upper − lower), assuming latencies spread evenly inside
 * a bucket (the interpolation histogram_quantile uses); a +Inf bucket is never good.
 */
function latency(s: SliOf<'latency'>, db: string): MinuteEvents {
  const params: Record<string, unknown> = { threshold: s.threshold_ms };
  const bucketGood = `arraySum(arrayMap((upper, n, lower) -> multiIf(upper <= {threshold:Float64}, toFloat64(n),
      lower < {threshold:Float64} AND isFinite(upper), n * ({threshold:Float64} - lower) / (upper - lower), 0.),
    bucket_bounds_ms, bucket_counts, arrayPushFront(arrayPopBack(bucket_bounds_ms), 0.)))`;
  const sql = `SELECT toStartOfMinute(ts) AS minute, model, version, endpoint, namespace,
  sum(if(latency_ms IS NOT NULL, toFloat64(latency_ms <= {threshold:Float64}), ${bucketGood})) AS good,
  toFloat64(sum(if(latency_ms IS NOT NULL OR length(bucket_counts) > 0, count, 0))) AS total
FROM ${qualified({ database: db }, 'requests')}
WHERE ${RANGE}${where(requestFilters(s), params)}
GROUP BY minute, model, version, endpoint, namespace`;
  return { sql, params, labels: REQUEST_LABELS };
}

/** Runs of a kind that reached a terminal state, counted once each at their last terminal row. */
function finishedRuns(db: string, runKind: string, extraWhere: string, params: Record<string, unknown>, s: { pipeline?: string | undefined; namespace?: string | undefined; model?: string | undefined }, goodExpr: string): MinuteEvents {
  params.run_kind = runKind;
  const filters = where([{ column: 'pipeline', value: s.pipeline }, { column: 'namespace', value: s.namespace }, { column: 'model', value: s.model }], params, 'r');
  const sql = `SELECT toStartOfMinute(finished) AS minute, pipeline, namespace, model, version, toFloat64(countIf(${goodExpr})) AS good, toFloat64(count()) AS total
FROM (
  SELECT run_id, argMax(state, ts) AS final_state, max(ts) AS finished, max(attempt) AS attempts,
         any(pipeline) AS pipeline, any(namespace) AS namespace, any(model) AS model, any(version) AS version
  FROM ${qualified({ database: db }, 'runs')} AS r
  WHERE r.${RANGE} AND r.kind = {run_kind:String} AND r.state IN ('succeeded', 'failed')${extraWhere}${filters}
  GROUP BY run_id
)
GROUP BY minute, pipeline, namespace, model, version`;
  return { sql, params, labels: RUN_LABELS };
}

function scheduling(s: SliOf<'scheduling'>, db: string): MinuteEvents {
  const params: Record<string, unknown> = { threshold_ms: s.threshold_s * 1000 };
  const kindFilter = s.run_kind === undefined ? '' : ' AND r.kind = {run_kind:String}';
  if (s.run_kind !== undefined) params.run_kind = s.run_kind;
  const filters = where([{ column: 'pipeline', value: s.pipeline }, { column: 'namespace', value: s.namespace }, { column: 'model', value: s.model }], params, 'r');
  const sql = `SELECT toStartOfMinute(started) AS minute, pipeline, namespace, model, version, kind,
  toFloat64(countIf(pending <= {threshold_ms:UInt64})) AS good, toFloat64(count()) AS total
FROM (
  SELECT run_id, argMin(pending_ms, ts) AS pending, min(ts) AS started,
         any(pipeline) AS pipeline, any(namespace) AS namespace, any(model) AS model, any(version) AS version, any(kind) AS kind
  FROM ${qualified({ database: db }, 'runs')} AS r
  WHERE r.${RANGE} AND r.pending_ms IS NOT NULL${kindFilter}${filters}
  GROUP BY run_id
)
GROUP BY minute, pipeline, namespace, model, version, kind`;
  return { sql, params, labels: [...RUN_LABELS, 'kind'] };
}

/** A GPU-minute is allocated when the GPU ran a pod; it is good when its mean utilisation reached the threshold. */
function gpuEfficiency(s: SliOf<'gpu_efficiency'>, db: string): MinuteEvents {
  const params: Record<string, unknown> = { threshold: s.threshold_pct };
  const filters = where([{ column: 'namespace', value: s.namespace }, { column: 'job', value: s.job }, { column: 'node', value: s.node }], params, 'g');
  const sql = `SELECT minute, namespace, node, job, gpu_model, toFloat64(countIf(util >= {threshold:Float64})) AS good, toFloat64(count()) AS total
FROM (
  SELECT toStartOfMinute(ts) AS minute, gpu_uuid, any(namespace) AS namespace, any(node) AS node, any(job) AS job, any(gpu_model) AS gpu_model, avg(util_pct) AS util
  FROM ${qualified({ database: db }, 'gpu_samples')} AS g
  WHERE g.${RANGE} AND g.pod != ''${filters}
  GROUP BY minute, gpu_uuid
)
GROUP BY minute, namespace, node, job, gpu_model`;
  return { sql, params, labels: ['namespace', 'node', 'job', 'gpu_model'] };
}

/** Feature-windows scored by drift analysis: good when PSI stayed under threshold; insufficient-data windows are not valid events. */
function drift(s: SliOf<'drift'>, db: string): MinuteEvents {
  const params: Record<string, unknown> = { f_model: s.model };
  const version = s.version === undefined ? '' : ' AND version = {f_version:String}';
  if (s.version !== undefined) params.f_version = s.version;
  const features = s.features === undefined ? '' : ' AND has({features:Array(String)}, feature)';
  if (s.features !== undefined) params.features = s.features;
  const sql = `SELECT toStartOfMinute(ts) AS minute, version, feature, toFloat64(countIf(status = 'ok')) AS good, toFloat64(countIf(status IN ('ok', 'drifting'))) AS total
FROM ${qualified({ database: db }, 'drift_scores')} FINAL
WHERE ${RANGE} AND model = {f_model:String}${version}${features}
GROUP BY minute, version, feature`;
  return { sql, params, labels: ['version', 'feature'] };
}

type StoreSliType = Exclude<SliType, 'prometheus' | 'custom' | 'freshness'>;

const BUILDERS: { [K in StoreSliType]: (s: SliOf<K>, db: string) => MinuteEvents } = {
  availability,
  latency,
  pipeline_success: (s, db) => finishedRuns(db, 'pipeline', '', {}, s, "final_state = 'succeeded'"),
  training_completion: (s, db) => finishedRuns(db, 'training', '', {}, s, "final_state = 'succeeded'"),
  validation_pass: (s, db) => finishedRuns(db, 'evaluation', '', {}, s, "final_state = 'succeeded'"),
  first_attempt_success: (s, db) => finishedRuns(db, s.run_kind, '', {}, s, "final_state = 'succeeded' AND attempts = 1"),
  artifact_upload: (s, db) => finishedRuns(db, 'step', " AND r.labels['step_type'] = {step_type:String}", { step_type: s.step_type }, s, "final_state = 'succeeded'"),
  scheduling,
  gpu_efficiency: gpuEfficiency,
  drift,
};

export function hasMinuteEvents(sli: Sli): sli is Extract<Sli, { type: StoreSliType }> {
  return sli.type in BUILDERS;
}

export function minuteEvents(sli: Extract<Sli, { type: StoreSliType }>, database: string): MinuteEvents {
  return (BUILDERS[sli.type] as (s: typeof sli, db: string) => MinuteEvents)(sli, database);
}
