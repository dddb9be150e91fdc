import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { CLICKHOUSE, seriesSql, tableSql } from './clickhouse-query.js';
import { mlwardenDashboard, withSections } from './dashboard-frame.js';
import { idleGpuCount, idleGpuTable, utilisationByNode } from './gpu-panels.js';
import { stat, table, timeSeries } from './panels.js';
import { promql, promqlNow } from './prometheus-query.js';
import { anyOf, clickhouseDatasource, database, model, namespace, prometheusDatasource, slo, table as t, version } from './variables.js';

const burn = (windows: string) => `mlwarden_slo_burn_rate{slo=~"$slo", window=~"${windows}"}`;
const servingFilter = `$__timeFilter(minute) AND ${anyOf('model', 'model')} AND ${anyOf('version', 'version')} AND ${anyOf('namespace', 'namespace')}`;

const burnRates = () => [
  timeSeries({
    title: 'Burn rate, page windows',
    description: 'Error-budget burn rate over the 1h/5m and 6h/30m windows. Dashed lines: page at 14.4× (1h and 5m) and 6× (6h and 30m), the SRE Workbook tiers for a 30-day SLO.',
    unit: 'suffix:×',
    thresholds: [[null, 'green'], [6, 'orange'], [14.4, 'red']],
  }, [promql(burn('1h|5m|6h|30m'), '{{slo}} {{group}} {{window}}')]),
  timeSeries({
    title: 'Burn rate, ticket windows',
    description: 'Error-budget burn rate over the 1d/2h and 3d/6h windows. Dashed lines: ticket at 3× (1d and 2h) and 1× (3d and 6h).',
    unit: 'suffix:×',
    thresholds: [[null, 'green'], [1, 'yellow'], [3, 'orange']],
  }, [promql(burn('1d|2h|3d|6h'), '{{slo}} {{group}} {{window}}')]),
  stat({
    title: 'Alerts firing',
    description: 'SLO alerts firing now, by severity (mlwarden_slo_alert_firing).',
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'red']],
  }, [promqlNow('sum by (severity) (mlwarden_slo_alert_firing{slo=~"$slo"})', '{{severity}}')]),
  stat({
    title: 'Calendar budget remaining',
    description: 'Share of the error budget left for the current calendar week or month (mlwarden_slo_calendar_budget_remaining_ratio); risky actions freeze under 10%.',
    unit: 'percentunit',
    thresholds: [[null, 'red'], [0.1, 'orange'], [0.25, 'green']],
  }, [promqlNow('min by (slo, calendar) (mlwarden_slo_calendar_budget_remaining_ratio{slo=~"$slo"})', '{{slo}} {{calendar}}')]),
];

const serving = () => [
  timeSeries({
    title: 'Latency P50 / P95 / P99',
    description: 'Latency quantiles per model and version from the per-minute t-digests in requests_1m (raw requests only; pre-aggregated batches carry no latencies). Deploy markers show the first minute of each version.',
    unit: 'ms',
  }, [seriesSql(`
SELECT time, model, version, q[1] AS p50, q[2] AS p95, q[3] AS p99
FROM (
  SELECT $__timeInterval(minute) AS time, model, version, quantilesTDigestMerge(0.5, 0.95, 0.99)(latency_quantiles) AS q
  FROM ${t('requests_1m')}
  WHERE ${servingFilter}
  GROUP BY time, model, version)
ORDER BY time`)]),
  timeSeries({
    title: 'Error rate',
    description: 'Errors (5xx or not ok) / requests per model and version (requests_1m).',
    unit: 'percentunit', min: 0,
    thresholds: [[null, 'green'], [0.001, 'orange'], [0.01, 'red']],
  }, [seriesSql(`
SELECT $__timeInterval(minute) AS time, model, version, sum(errors) / sum(count) AS error_ratio
FROM ${t('requests_1m')}
WHERE ${servingFilter}
GROUP BY time, model, version ORDER BY time`)]),
  timeSeries({
    title: 'Request rate',
    description: 'Requests per second per model and version (requests_1m).',
    unit: 'reqps',
  }, [seriesSql(`
SELECT $__timeInterval(minute) AS time, model, version, sum(count) / $__interval_s AS requests_per_s
FROM ${t('requests_1m')}
WHERE ${servingFilter}
GROUP BY time, model, version ORDER BY time`)]),
];

const training = () => [
  stat({
    title: 'Training jobs pending / failed',
    description: 'Training runs whose latest state in the range is pending, or failed (runs).',
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'orange']],
  }, [tableSql(`
SELECT countIf(state = 'pending') AS pending, countIf(state = 'failed') AS failed
FROM (
  SELECT run_id, state FROM ${t('runs')}
  WHERE $__timeFilter(ts) AND kind = 'training' AND ${anyOf('namespace', 'namespace')}
  ORDER BY ts DESC LIMIT 1 BY run_id)`)]),
  table({
    title: 'Pending and failed training jobs',
    description: 'Training runs whose latest state is pending or failed, with the reason the orchestrator gave and how long they waited to start.',
    unit: 'none', width: 18,
  }, [tableSql(`
SELECT ts AS updated, run_id, namespace, pipeline, model, state, reason, attempt, gpus, pending_ms / 1000 AS pending_s
FROM (
  SELECT * FROM ${t('runs')}
  WHERE $__timeFilter(ts) AND kind = 'training' AND ${anyOf('namespace', 'namespace')}
  ORDER BY ts DESC LIMIT 1 BY run_id)
WHERE state IN ('pending', 'failed')
ORDER BY updated DESC LIMIT 200`)], {
    columns: ['updated', 'run_id', 'namespace', 'pipeline', 'model', 'state', 'reason', 'attempt', 'gpus', 'pending_s'],
    units: { updated: 'dateTimeAsIso', pending_s: 's' },
  }),
];

const policy = () => [
  stat({
    title: 'Actions awaiting approval',
    description: 'Policy actions waiting for a human (mlwarden_policy_actions_in_flight), and policies whose circuit breaker is open.',
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'orange']],
  }, [
    promqlNow('sum(mlwarden_policy_actions_in_flight{status="awaiting-approval"})', 'awaiting approval', 'A'),
    promqlNow('sum(mlwarden_policy_circuit_breaker_open)', 'breakers open', 'B'),
  ]),
  table({
    title: 'Recent policy actions',
    description: 'The latest state of each policy action updated in the range (actions, FINAL): what was done to what, why, and how it ended.',
    unit: 'none', width: 18,
  }, [tableSql(`
SELECT updated_at, policy, kind, target, status, outcome, reason, denied_by, actor
FROM ${t('actions')} FINAL
WHERE $__timeFilter(updated_at)
ORDER BY updated_at DESC LIMIT 100`)], {
    columns: ['updated_at', 'policy', 'kind', 'target', 'status', 'outcome', 'reason', 'denied_by', 'actor'],
    units: { updated_at: 'dateTimeAsIso' },
  }),
];

/** A marker at the first minute each model version served traffic: a deploy, or a rollback to a new version. */
const deployMarkers = () =>
  new AnnotationQueryBuilder()
    .name('Deploys')
    .datasource(CLICKHOUSE)
    .enable(true)
    .iconColor('blue')
    .target(tableSql(`
SELECT first_seen AS time, concat(model, ' ', version, ' first served') AS text, concat('model:', model) AS tags
FROM (
  SELECT model, version, min(minute) AS first_seen FROM ${t('requests_1m')}
  WHERE ${anyOf('model', 'model')} AND minute <= $__toTime
  GROUP BY model, version)
WHERE first_seen >= $__fromTime
ORDER BY time`, 'Deploys'));

export function onCallDashboard() {
  const d = mlwardenDashboard({
    uid: 'mlwarden-on-call',
    title: 'mlwarden / On-call',
    description: 'Burn rates against paging tiers, endpoint latency and errors with deploy markers, stuck training jobs, GPUs and recent policy actions.',
    from: 'now-6h',
  })
    .variables([clickhouseDatasource(), prometheusDatasource(), database(), namespace(), model(), version(), slo()])
    .annotation(deployMarkers());
  return withSections(d, [
    { title: 'Burn rates', panels: burnRates() },
    { title: 'Serving', panels: serving() },
    { title: 'Training', panels: training() },
    { title: 'GPUs', panels: [utilisationByNode(), idleGpuCount(), idleGpuTable().span(24)] },
    { title: 'Policy actions', panels: policy() },
  ]);
}
