/**
 * The telemetry tables as data. DDL (single node or cluster) is rendered from these specs by ddl.ts,
 * and the row encoders read the same column lists, so a column exists in one place only.
 */
export interface ColumnSpec {
  name: string;
  type: string;
  codec?: string;
  /** Filled by ClickHouse; never sent on insert. */
  materialized?: string;
}

export type EngineSpec =
  | { kind: 'MergeTree' }
  | { kind: 'ReplacingMergeTree'; version: string }
  | { kind: 'AggregatingMergeTree' };

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  engine: EngineSpec;
  partitionBy?: string;
  orderBy: string[];
  /** Column the retention TTL counts from; tables without one keep rows until deleted. */
  ttlColumn?: string;
  indexes?: string[];
  /** Distributed sharding expression in cluster mode; rows of one key land on one shard. */
  shardingKey?: string;
}

const TS = "DateTime64(3, 'UTC')";
const ts: ColumnSpec = { name: 'ts', type: TS, codec: 'Delta, ZSTD(1)' };
const lc = (name: string): ColumnSpec => ({ name, type: 'LowCardinality(String)' });
const labels: ColumnSpec = { name: 'labels', type: 'Map(LowCardinality(String), String)', codec: 'ZSTD(1)' };

export const RUNS: TableSpec = {
  name: 'runs',
  columns: [
    ts,
    { name: 'run_id', type: 'String' },
    { name: 'parent_run_id', type: 'String' },
    lc('kind'), lc('pipeline'), lc('namespace'), lc('model'), lc('version'), lc('state'), lc('reason'),
    { name: 'attempt', type: 'UInt32', codec: 'T64, ZSTD(1)' },
    { name: 'priority', type: 'Int32', codec: 'T64, ZSTD(1)' },
    { name: 'gpus', type: 'UInt16', codec: 'T64, ZSTD(1)' },
    { name: 'created_at', type: `Nullable(${TS})` },
    { name: 'started_at', type: `Nullable(${TS})` },
    { name: 'finished_at', type: `Nullable(${TS})` },
    { name: 'pending_ms', type: 'Nullable(UInt64)' },
    labels,
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toDate(ts)',
  orderBy: ['kind', 'namespace', 'pipeline', 'run_id', 'ts'],
  ttlColumn: 'ts',
  indexes: ['INDEX idx_model model TYPE set(1000) GRANULARITY 4'],
};

export const GPU_SAMPLES: TableSpec = {
  name: 'gpu_samples',
  columns: [
    ts,
    lc('node'), lc('gpu_uuid'),
    { name: 'gpu_index', type: 'UInt16', codec: 'T64, ZSTD(1)' },
    lc('gpu_model'), lc('namespace'),
    { name: 'pod', type: 'String', codec: 'ZSTD(1)' },
    lc('job'),
    { name: 'util_pct', type: 'Float32', codec: 'Gorilla, ZSTD(1)' },
    { name: 'mem_used_bytes', type: 'Nullable(UInt64)', codec: 'T64, ZSTD(1)' },
    { name: 'mem_total_bytes', type: 'Nullable(UInt64)', codec: 'T64, ZSTD(1)' },
    { name: 'power_w', type: 'Nullable(Float32)', codec: 'Gorilla, ZSTD(1)' },
    { name: 'sm_active', type: 'Nullable(Float32)', codec: 'Gorilla, ZSTD(1)' },
    labels,
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toDate(ts)',
  orderBy: ['node', 'gpu_uuid', 'ts'],
  ttlColumn: 'ts',
  indexes: ['INDEX idx_job job TYPE set(1000) GRANULARITY 4'],
};

/**
 * One row per request (status, latency_ms) or per pre-aggregated batch (count, errors, buckets).
 * Raw rows have count = 1 and a latency; batch rows have latency_ms NULL and per-bucket counts,
 * so latency SLIs use exact latencies where they exist and buckets otherwise.
 */
export const REQUESTS: TableSpec = {
  name: 'requests',
  columns: [
    ts,
    lc('model'), lc('version'), lc('endpoint'), lc('namespace'),
    { name: 'status', type: 'UInt16', codec: 'T64, ZSTD(1)' },
    { name: 'count', type: 'UInt64', codec: 'T64, ZSTD(1)' },
    { name: 'errors', type: 'UInt64', codec: 'T64, ZSTD(1)' },
    { name: 'latency_ms', type: 'Nullable(Float64)', codec: 'ZSTD(1)' },
    { name: 'latency_sum_ms', type: 'Float64', codec: 'ZSTD(1)' },
    { name: 'bucket_bounds_ms', type: 'Array(Float64)', codec: 'ZSTD(1)' },
    { name: 'bucket_counts', type: 'Array(UInt64)', codec: 'ZSTD(1)' },
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toDate(ts)',
  orderBy: ['model', 'version', 'endpoint', 'ts'],
  ttlColumn: 'ts',
};

/** Feature observations (value | category | missing) or serving-side histograms (edges + counts). */
export const FEATURE_VALUES: TableSpec = {
  name: 'feature_values',
  columns: [
    ts,
    lc('model'), lc('version'), lc('feature'),
    { name: 'value', type: 'Nullable(Float64)', codec: 'ZSTD(1)' },
    { name: 'category', type: 'Nullable(String)', codec: 'ZSTD(1)' },
    { name: 'observations', type: 'UInt64', codec: 'T64, ZSTD(1)' },
    { name: 'hist_edges', type: 'Array(Float64)', codec: 'ZSTD(1)' },
    { name: 'hist_counts', type: 'Array(UInt64)', codec: 'ZSTD(1)' },
    { name: 'hist_missing', type: 'UInt64', codec: 'T64, ZSTD(1)' },
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toDate(ts)',
  orderBy: ['model', 'feature', 'version', 'ts'],
  ttlColumn: 'ts',
};

/** Columns migration 5 added to `actions`: the plan to carry out, the guard that denied it, how it ended, who approved. */
export const ACTION_DETAIL_COLUMNS: ColumnSpec[] = [
  { name: 'plan', type: 'String', codec: 'ZSTD(1)' },
  { name: 'denied_by', type: 'LowCardinality(String)' },
  { name: 'outcome', type: 'LowCardinality(String)' },
  { name: 'victims', type: 'Array(String)' },
  { name: 'actor', type: 'String' },
  { name: 'finished_at', type: `Nullable(${TS})` },
];

/** The policy engine's audit trail: one row per state change of an action, latest wins. */
export const ACTIONS: TableSpec = {
  name: 'actions',
  columns: [
    { name: 'id', type: 'String' },
    lc('policy'), lc('kind'),
    { name: 'target', type: 'String' },
    lc('status'),
    { name: 'reason', type: 'String' },
    { name: 'cause', type: 'String', codec: 'ZSTD(1)' },
    { name: 'created_at', type: TS },
    { name: 'updated_at', type: TS },
    ...ACTION_DETAIL_COLUMNS,
  ],
  engine: { kind: 'ReplacingMergeTree', version: 'updated_at' },
  partitionBy: 'toYYYYMM(created_at)',
  orderBy: ['id'],
  shardingKey: 'cityHash64(id)',
};

/** Which migrations have been applied; ReplacingMergeTree so two processes migrating at once leave one row. */
export const SCHEMA_MIGRATIONS: TableSpec = {
  name: 'schema_migrations',
  columns: [
    { name: 'version', type: 'UInt32' },
    { name: 'name', type: 'String' },
    { name: 'applied_at', type: TS },
  ],
  engine: { kind: 'ReplacingMergeTree', version: 'applied_at' },
  orderBy: ['version'],
  shardingKey: 'version',
};

/**
 * Per-minute request rollup: exact counts plus latency quantile states, so SLO evaluation over
 * 30 days reads minutes, not raw requests. Batch rows contribute counts; quantiles come from raw rows.
 */
export const REQUESTS_1M: TableSpec = {
  name: 'requests_1m',
  columns: [
    { name: 'minute', type: "DateTime('UTC')", codec: 'Delta, ZSTD(1)' },
    lc('model'), lc('version'), lc('endpoint'), lc('namespace'),
    { name: 'count', type: 'SimpleAggregateFunction(sum, UInt64)' },
    { name: 'errors', type: 'SimpleAggregateFunction(sum, UInt64)' },
    { name: 'latency_sum_ms', type: 'SimpleAggregateFunction(sum, Float64)' },
    { name: 'latency_quantiles', type: 'AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64)' },
  ],
  engine: { kind: 'AggregatingMergeTree' },
  partitionBy: 'toDate(minute)',
  orderBy: ['model', 'version', 'endpoint', 'namespace', 'minute'],
  ttlColumn: 'minute',
};

export const TELEMETRY_TABLES = { runs: RUNS, gpu: GPU_SAMPLES, requests: REQUESTS, features: FEATURE_VALUES } as const;

/**
 * PSI per model, feature and window as drift analysis scores it (status ok | drifting | insufficient);
 * the drift SLI counts these. A recomputed window replaces the earlier row.
 */
export const DRIFT_SCORES: TableSpec = {
  name: 'drift_scores',
  columns: [
    { ...ts, name: 'ts' },
    { name: 'window_start', type: TS },
    lc('model'), lc('version'), lc('feature'),
    { name: 'psi', type: 'Float64' },
    { name: 'threshold', type: 'Float64' },
    { name: 'n_reference', type: 'UInt64' },
    { name: 'n_current', type: 'UInt64' },
    lc('status'),
    { name: 'computed_at', type: TS },
  ],
  engine: { kind: 'ReplacingMergeTree', version: 'computed_at' },
  partitionBy: 'toYYYYMM(ts)',
  orderBy: ['model', 'feature', 'version', 'ts'],
  ttlColumn: 'ts',
};

/** Every alert state change (pending, firing, resolved): alert history, and what MTTR is computed from. */
export const ALERT_EVENTS: TableSpec = {
  name: 'alert_events',
  columns: [
    ts,
    lc('slo'), lc('severity'), lc('alertname'),
    { name: 'dedupe_key', type: 'String' },
    { name: 'group_labels', type: 'Map(LowCardinality(String), String)' },
    lc('state'),
    lc('tier'),
    { name: 'since', type: TS },
    { name: 'firing_since', type: `Nullable(${TS})` },
    { name: 'long_burn', type: 'Nullable(Float64)' },
    { name: 'short_burn', type: 'Nullable(Float64)' },
  ],
  engine: { kind: 'MergeTree' },
  partitionBy: 'toYYYYMM(ts)',
  orderBy: ['slo', 'dedupe_key', 'ts'],
  shardingKey: 'cityHash64(dedupe_key)',
};

/** Silences and maintenance windows; edits and deletes write a newer row. */
export const SILENCES: TableSpec = {
  name: 'silences',
  columns: [
    { name: 'id', type: 'String' },
    { name: 'matchers', type: 'Map(String, String)' },
    { name: 'starts_at', type: TS },
    { name: 'ends_at', type: TS },
    { name: 'comment', type: 'String' },
    { name: 'created_by', type: 'String' },
    { name: 'created_at', type: TS },
    { name: 'updated_at', type: TS },
    { name: 'deleted', type: 'UInt8' },
  ],
  engine: { kind: 'ReplacingMergeTree', version: 'updated_at' },
  orderBy: ['id'],
  shardingKey: 'cityHash64(id)',
};

/**
 * Registered reference distributions, one per model, version and feature (latest registration wins).
 * `baseline` holds the full domain Baseline as JSON; edges and categories are copied out so binning
 * SQL can read them without parsing JSON.
 */
export const BASELINES: TableSpec = {
  name: 'baselines',
  columns: [
    lc('model'), lc('version'), lc('feature'),
    lc('kind'),
    { name: 'edges', type: 'Array(Float64)' },
    { name: 'categories', type: 'Array(String)' },
    { name: 'baseline', type: 'String', codec: 'ZSTD(1)' },
    lc('source'),
    { name: 'created_at', type: TS },
  ],
  engine: { kind: 'ReplacingMergeTree', version: 'created_at' },
  orderBy: ['model', 'feature', 'version'],
  shardingKey: 'cityHash64(model)',
};
