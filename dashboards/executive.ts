import { seriesSql, tableSql } from './clickhouse-query.js';
import { mlwardenDashboard, withSections } from './dashboard-frame.js';
import { barGauge, stat, table, timeSeries } from './panels.js';
import { promql, promqlNow } from './prometheus-query.js';
import { anyOf, clickhouseDatasource, database, gpuHourPrice, namespace, prometheusDatasource, slo, table as t } from './variables.js';

const budget = 'mlwarden_slo_error_budget_remaining_ratio{slo=~"$slo"}';
const BUDGET_STEPS: [number | null, string][] = [[null, 'red'], [0, 'orange'], [0.25, 'yellow'], [0.5, 'green']];

/** GPU-minutes allocated to a pod, per namespace: the allocation mlwarden's cost gauge prices. */
const allocatedMinutes = `SELECT toStartOfMinute(ts) AS minute, gpu_uuid, any(namespace) AS pod_namespace
  FROM ${t('gpu_samples')}
  WHERE $__timeFilter(ts) AND pod != '' AND ${anyOf('namespace', 'namespace')}
  GROUP BY minute, gpu_uuid`;

const serviceLevel = () => [
  stat({
    title: 'SLOs within budget',
    description: 'Share of SLO groups whose error budget for the period is not overspent (mlwarden_slo_error_budget_remaining_ratio ≥ 0).',
    unit: 'percentunit', min: 0, max: 1,
    thresholds: [[null, 'red'], [0.9, 'orange'], [1, 'green']],
  }, [promqlNow(`count(${budget} >= 0) / count(${budget})`, 'within budget')]),
  stat({
    title: 'Alerts firing',
    description: 'SLO alerts firing now, by severity (mlwarden_slo_alert_firing).',
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'red']],
  }, [promqlNow('sum by (severity) (mlwarden_slo_alert_firing{slo=~"$slo"})', '{{severity}}')]),
  stat({
    title: 'Mean time to recovery',
    description: 'Mean time from an SLO alert firing to its resolution, alerts resolved in the last 30 days (mlwarden_slo_mttr_seconds).',
    unit: 's',
    thresholds: [[null, 'green'], [3600, 'orange'], [4 * 3600, 'red']],
  }, [promqlNow('mlwarden_slo_mttr_seconds{slo=~"$slo"}', '{{slo}}')]),
  stat({
    title: 'Models in production',
    description: 'Distinct models, and model versions, that served requests in the range (requests_1m).',
    unit: 'none',
  }, [tableSql(`
SELECT uniqExact(model) AS models, uniqExact(model, version) AS model_versions
FROM ${t('requests_1m')}
WHERE $__timeFilter(minute) AND ${anyOf('namespace', 'namespace')}`)]),
  barGauge({
    title: 'Error budget remaining',
    description: 'Share of each SLO group\'s error budget left for the SLO period (negative when overspent).',
    unit: 'percentunit', min: -1, max: 1,
    thresholds: BUDGET_STEPS,
  }, [promqlNow(budget, '{{slo}} {{group}}')]),
  barGauge({
    title: 'SLI this period',
    description: 'Good/valid events per SLO group over the SLO period so far (window="period"); objectives differ per SLO, see the error budget beside it.',
    unit: 'percentunit', min: 0.9, max: 1,
    thresholds: [[null, 'red'], [0.99, 'orange'], [0.999, 'green']],
  }, [promqlNow('mlwarden_slo_sli_ratio{slo=~"$slo", window="period"}', '{{slo}} {{group}}')]),
  timeSeries({
    title: 'Error budget remaining over time',
    description: 'How each SLO group\'s period error budget has been spent.',
    unit: 'percentunit',
    thresholds: BUDGET_STEPS.slice(0, 2),
  }, [promql(budget, '{{slo}} {{group}}')]),
];

const cost = () => [
  stat({
    title: 'GPU cost, last 24h',
    description: 'Allocated GPU-hours × configured price over the last 24 hours (mlwarden_gpu_cost_usd, priced per GPU model by mlwarden).',
    unit: 'currencyUSD',
  }, [promqlNow('sum(mlwarden_gpu_cost_usd{namespace=~"$namespace"})', 'GPU cost')]),
  stat({
    title: 'GPU-hours allocated',
    description: 'GPU-minutes on which a pod ran, in the range, as hours (gpu_samples).',
    unit: 'h',
  }, [tableSql(`SELECT count() / 60 AS gpu_hours FROM (${allocatedMinutes})`)]),
  timeSeries({
    title: 'Monthly GPU cost',
    description: 'Allocated GPU-hours per calendar month and namespace × the price in the "USD per GPU-hour" variable (one price for every GPU model, unlike mlwarden_gpu_cost_usd).',
    unit: 'currencyUSD',
  }, [seriesSql(`
SELECT toDateTime(toStartOfMonth(minute)) AS time, pod_namespace AS namespace, count() / 60 * toFloat64OrZero('\${gpu_hour_usd}') AS cost_usd
FROM (${allocatedMinutes})
GROUP BY time, namespace ORDER BY time`)], { bars: true }),
];

const delivery = () => [
  timeSeries({
    title: 'Pipeline success rate',
    description: 'Per day, the share of pipeline runs that ended succeeded, of those that ended succeeded, failed or canceled (runs, latest state per run).',
    unit: 'percentunit', min: 0, max: 1,
    thresholds: [[null, 'red'], [0.9, 'orange'], [0.95, 'green']],
  }, [seriesSql(`
SELECT toStartOfDay(ts) AS time, countIf(state = 'succeeded') / count() AS success_ratio
FROM (
  SELECT run_id, ts, state FROM ${t('runs')}
  WHERE $__timeFilter(ts) AND kind = 'pipeline' AND ${anyOf('namespace', 'namespace')}
  ORDER BY ts DESC LIMIT 1 BY run_id)
WHERE state IN ('succeeded', 'failed', 'canceled')
GROUP BY time ORDER BY time`)]),
  table({
    title: 'Models serving traffic',
    description: 'Each model version that served requests in the range, its traffic and error ratio (requests_1m).',
    unit: 'none', width: 12,
  }, [tableSql(`
SELECT model, version, sum(count) AS requests, sum(errors) / sum(count) AS error_ratio, max(minute) AS last_seen
FROM ${t('requests_1m')}
WHERE $__timeFilter(minute) AND ${anyOf('namespace', 'namespace')}
GROUP BY model, version ORDER BY requests DESC LIMIT 200`)], {
    columns: ['model', 'version', 'requests', 'error_ratio', 'last_seen'],
    units: { requests: 'short', error_ratio: 'percentunit', last_seen: 'dateTimeAsIso' },
  }),
];

const incidents = () => [
  table({
    title: 'Active incidents',
    description: 'SLO alerts whose latest state is firing (alert_events), with the burn rates that fired them.',
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'red']],
  }, [tableSql(`
SELECT firing_since, slo, severity, alertname, tier,
  arrayStringConcat(arrayMap((k, v) -> concat(k, '=', v), mapKeys(group_labels), mapValues(group_labels)), ',') AS alert_group,
  long_burn, short_burn
FROM (SELECT * FROM ${t('alert_events')} WHERE ts <= $__toTime ORDER BY ts DESC LIMIT 1 BY dedupe_key)
WHERE state = 'firing' AND ${anyOf('slo', 'slo')}
ORDER BY firing_since DESC LIMIT 100`)], {
    columns: ['firing_since', 'slo', 'severity', 'alertname', 'tier', 'alert_group', 'long_burn', 'short_burn'],
    units: { firing_since: 'dateTimeAsIso', long_burn: 'suffix:×', short_burn: 'suffix:×' },
  }),
];

export function executiveDashboard() {
  const d = mlwardenDashboard({
    uid: 'mlwarden-executive',
    title: 'mlwarden / Executive',
    description: 'SLO compliance and error budgets, GPU cost, pipeline success, models in production and active incidents.',
    from: 'now-30d',
  }).variables([clickhouseDatasource(), prometheusDatasource(), database(), namespace(), slo(), gpuHourPrice()]);
  return withSections(d, [
    { title: 'Service levels', panels: serviceLevel() },
    { title: 'Cost', panels: cost() },
    { title: 'Delivery', panels: delivery() },
    { title: 'Incidents', panels: incidents() },
  ]);
}
