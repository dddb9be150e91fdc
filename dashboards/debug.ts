import { seriesSql, tableSql } from './clickhouse-query.js';
import { mlwardenDashboard, withSections } from './dashboard-frame.js';
import { barChart, heatmap, stat, table, timeSeries } from './panels.js';
import { promql, promqlNow } from './prometheus-query.js';
import { anyOf, clickhouseDatasource, database, feature, model, namespace, prometheusDatasource, table as t, version } from './variables.js';

const PSI_STEPS: [number | null, string][] = [[null, 'green'], [0.1, 'orange'], [0.25, 'red']];
const steps = `$__timeFilter(ts) AND kind = 'step' AND ${anyOf('namespace', 'namespace')}`;
const oneFeature = `model = '\${model}' AND feature = '\${feature}'`;

const runs = () => [
  table({
    title: 'Pipeline steps',
    description: 'Latest state of each pipeline step (runs, kind step) in the range, grouped by parent run: outcome, reason, attempt and duration.',
    unit: 'none',
  }, [tableSql(`
SELECT parent_run_id, run_id, pipeline, state, reason, attempt, started_at, dateDiff('millisecond', started_at, finished_at) / 1000 AS duration_s
FROM (SELECT * FROM ${t('runs')} WHERE ${steps} ORDER BY ts DESC LIMIT 1 BY run_id)
ORDER BY parent_run_id, started_at LIMIT 500`)], {
    columns: ['parent_run_id', 'run_id', 'pipeline', 'state', 'reason', 'attempt', 'started_at', 'duration_s'],
    units: { started_at: 'dateTimeAsIso', duration_s: 's' },
  }),
  timeSeries({
    title: 'Step duration',
    description: 'Mean started → finished duration of steps that finished, per pipeline.',
    unit: 's',
  }, [seriesSql(`
SELECT $__timeInterval(ts) AS time, pipeline, avg(dateDiff('millisecond', started_at, finished_at)) / 1000 AS mean_duration_s
FROM ${t('runs')}
WHERE ${steps} AND finished_at IS NOT NULL AND started_at IS NOT NULL
GROUP BY time, pipeline ORDER BY time`)]),
  timeSeries({
    title: 'Step outcomes',
    description: 'Steps reaching a final state per interval: succeeded, failed, other (canceled, skipped).',
    unit: 'none',
  }, [seriesSql(`
SELECT $__timeInterval(ts) AS time, countIf(state = 'succeeded') AS succeeded, countIf(state = 'failed') AS failed,
  countIf(state IN ('canceled', 'skipped')) AS other
FROM ${t('runs')}
WHERE ${steps} AND state IN ('succeeded', 'failed', 'canceled', 'skipped')
GROUP BY time ORDER BY time`)], { bars: true }),
];

const drift = () => [
  barChart({
    title: 'Reference vs current distribution: $feature',
    description: 'Share of observations per baseline bin: the registered reference (baselines) against feature_values in the range, binned by the baseline\'s edges. Numeric features only.',
    unit: 'percentunit',
  }, [tableSql(`
WITH
  (SELECT argMax(edges, created_at) FROM ${t('baselines')} WHERE ${oneFeature} AND kind = 'numeric') AS ref_edges,
  (SELECT argMax(JSONExtract(baseline, 'proportions', 'Array(Float64)'), created_at) FROM ${t('baselines')} WHERE ${oneFeature} AND kind = 'numeric') AS ref_shares,
  current AS (
    SELECT arrayCount(e -> e <= value, ref_edges) + 1 AS bin, count() AS n
    FROM ${t('feature_values')}
    WHERE $__timeFilter(ts) AND ${oneFeature} AND value IS NOT NULL
    GROUP BY bin)
SELECT concat('bin ', toString(bin)) AS bin_label, ref_shares[bin] AS reference, ifNull(n / (SELECT sum(n) FROM current), 0) AS current_share
FROM (SELECT arrayJoin(arrayEnumerate(ref_shares)) AS bin) AS bins
LEFT JOIN current USING (bin)
ORDER BY bin`)]),
  timeSeries({
    title: 'PSI over time: $feature',
    description: 'PSI of each scored window per version (drift_scores, FINAL), with the threshold it was judged against. Dashed lines: moderate 0.1, significant 0.25.',
    unit: 'none',
    thresholds: PSI_STEPS,
  }, [seriesSql(`
SELECT window_start AS time, version, psi, threshold
FROM ${t('drift_scores')} FINAL
WHERE $__timeFilter(ts) AND ${oneFeature} AND ${anyOf('version', 'version')}
ORDER BY time`)]),
  table({
    title: 'Scored windows: $feature',
    description: 'Every scored window of the feature: PSI, threshold, sample sizes and verdict (insufficient = too few observations to judge).',
    unit: 'none',
    thresholds: PSI_STEPS,
  }, [tableSql(`
SELECT window_start, version, psi, threshold, n_reference, n_current, status
FROM ${t('drift_scores')} FINAL
WHERE $__timeFilter(ts) AND ${oneFeature} AND ${anyOf('version', 'version')}
ORDER BY window_start DESC LIMIT 200`)], {
    columns: ['window_start', 'version', 'psi', 'threshold', 'n_reference', 'n_current', 'status'],
    units: { window_start: 'dateTimeAsIso', n_reference: 'short', n_current: 'short' },
  }),
];

const latency = () => [
  heatmap({
    title: 'Request latency',
    description: 'Latency of individually ingested requests (requests.latency_ms; pre-aggregated batches have none), bucketed by Grafana. At most 100k requests.',
    unit: 'ms',
  }, [seriesSql(`
SELECT ts AS time, latency_ms
FROM ${t('requests')}
WHERE $__timeFilter(ts) AND model = '\${model}' AND ${anyOf('version', 'version')} AND latency_ms IS NOT NULL
ORDER BY time LIMIT 100000`)]),
];

const rate = (metric: string, by: string) => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;

const health = () => [
  timeSeries({
    title: 'Ingested rows',
    description: 'Rows per second by telemetry kind and outcome (mlwarden_ingest_rows_total).',
    unit: 'cps',
  }, [promql(rate('mlwarden_ingest_rows_total', 'kind, outcome'), '{{kind}} {{outcome}}')]),
  timeSeries({
    title: 'Ingest requests',
    description: 'Ingest requests per second by kind and HTTP status (mlwarden_ingest_requests_total).',
    unit: 'reqps',
  }, [promql(rate('mlwarden_ingest_requests_total', 'kind, status'), '{{kind}} {{status}}')]),
  timeSeries({
    title: 'Ingest queue',
    description: 'Accepted rows not yet committed (mlwarden_ingest_queue_rows). At ingest.max_pending_rows (default 1,000,000) ingest answers 429.',
    unit: 'short',
    thresholds: [[null, 'green'], [500_000, 'orange'], [1_000_000, 'red']],
  }, [promql('mlwarden_ingest_queue_rows', 'queued rows')]),
  timeSeries({
    title: 'Flush duration P99 and insert errors',
    description: 'P99 time to commit one INSERT (mlwarden_ingest_flush_duration_seconds) and failed INSERTs per second (mlwarden_ingest_insert_errors_total).',
    unit: 's',
  }, [
    promql('histogram_quantile(0.99, sum by (le) (rate(mlwarden_ingest_flush_duration_seconds_bucket[$__rate_interval])))', 'flush p99', 'A'),
    promql('sum(rate(mlwarden_ingest_insert_errors_total[$__rate_interval]))', 'insert errors/s', 'B'),
  ]),
  timeSeries({
    title: 'Collector lag',
    description: 'Age of the newest data each collector has delivered (mlwarden_collector_lag_seconds).',
    unit: 's',
    thresholds: [[null, 'green'], [60, 'orange'], [300, 'red']],
  }, [promql('max by (collector) (mlwarden_collector_lag_seconds)', '{{collector}}')]),
  timeSeries({
    title: 'Collector records and errors',
    description: 'Records delivered per second by collector and kind (mlwarden_collector_records_total), and failures by reason (mlwarden_collector_errors_total).',
    unit: 'cps',
  }, [
    promql(rate('mlwarden_collector_records_total', 'collector, kind'), '{{collector}} {{kind}}', 'A'),
    promql(rate('mlwarden_collector_errors_total', 'collector, reason'), '{{collector}} error: {{reason}}', 'B'),
  ]),
  stat({
    title: 'Since last collector success',
    description: 'Time since each collector last completed a scrape, poll or watch event (mlwarden_collector_last_success_timestamp_seconds).',
    unit: 's',
    thresholds: [[null, 'green'], [120, 'orange'], [600, 'red']],
  }, [promqlNow('time() - max by (collector) (mlwarden_collector_last_success_timestamp_seconds)', '{{collector}}')]),
  timeSeries({
    title: 'SLO evaluation',
    description: 'P99 time to evaluate one SLO (mlwarden_slo_evaluation_duration_seconds) and failed evaluations per second (mlwarden_slo_evaluation_errors_total).',
    unit: 's',
  }, [
    promql('histogram_quantile(0.99, sum by (le, slo) (rate(mlwarden_slo_evaluation_duration_seconds_bucket[$__rate_interval])))', '{{slo}} p99', 'A'),
    promql(rate('mlwarden_slo_evaluation_errors_total', 'slo'), '{{slo}} errors/s', 'B'),
  ]),
];

export function debugDashboard() {
  const d = mlwardenDashboard({
    uid: 'mlwarden-debug',
    title: 'mlwarden / Debug',
    description: 'Per-run step durations and outcomes, one feature\'s reference vs current distribution and PSI, request latency heatmap, ingest and collector health.',
    from: 'now-24h',
  }).variables([clickhouseDatasource(), prometheusDatasource(), database(), namespace(), model(false), version(), feature()]);
  return withSections(d, [
    { title: 'Pipeline runs', panels: runs() },
    { title: 'Feature drift ($model / $feature)', panels: drift() },
    { title: 'Serving latency ($model)', panels: latency() },
    { title: 'Ingest and collectors', panels: health() },
  ]);
}
