import { seriesSql, tableSql } from './clickhouse-query.js';
import { mlwardenDashboard, withSections } from './dashboard-frame.js';
import { barGauge, stat, table, timeSeries } from './panels.js';
import { promqlNow } from './prometheus-query.js';
import { anyOf, clickhouseDatasource, database, model, prometheusDatasource, table as t } from './variables.js';

const PSI_STEPS: [number | null, string][] = [[null, 'green'], [0.1, 'orange'], [0.25, 'red']];
const scored = `$__timeFilter(ts) AND ${anyOf('model', 'model')}`;

const now = () => [
  stat({
    title: 'Drifting share',
    description: 'Share of each model\'s assessed features that are drifting (mlwarden_drift_share_ratio).',
    unit: 'percentunit',
    thresholds: [[null, 'green'], [0.1, 'orange'], [0.3, 'red']],
  }, [promqlNow('mlwarden_drift_share_ratio{model=~"$model"}', '{{model}}')]),
  stat({
    title: 'Open drift episodes',
    description: 'Features with an open drift episode (mlwarden_drift_episode_open), and features whose last window had too little data (mlwarden_drift_insufficient_data).',
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'orange']],
  }, [
    promqlNow('sum(mlwarden_drift_episode_open{model=~"$model"})', 'episodes open', 'A'),
    promqlNow('sum(mlwarden_drift_insufficient_data{model=~"$model"})', 'insufficient data', 'B'),
  ]),
  barGauge({
    title: 'PSI, last window',
    description: 'PSI of the last whole window per model and feature (mlwarden_drift_psi); 0.1 moderate, 0.25 significant.',
    unit: 'none', min: 0, max: 0.5,
    thresholds: PSI_STEPS,
  }, [promqlNow('mlwarden_drift_psi{model=~"$model"}', '{{model}} / {{feature}}')]),
];

const history = () => [
  timeSeries({
    title: 'PSI per feature',
    description: 'PSI of every scored window per model and feature (drift_scores, FINAL).',
    unit: 'none',
    thresholds: PSI_STEPS,
  }, [seriesSql(`
SELECT window_start AS time, model, feature, max(psi) AS max_psi
FROM ${t('drift_scores')} FINAL
WHERE ${scored}
GROUP BY time, model, feature ORDER BY time`)]),
  timeSeries({
    title: 'Scored windows by verdict',
    description: 'Feature-windows scored per interval: ok, drifting, insufficient (too few observations). The drift SLI counts ok / (ok + drifting).',
    unit: 'none',
  }, [seriesSql(`
SELECT $__timeInterval(window_start) AS time, countIf(status = 'ok') AS ok, countIf(status = 'drifting') AS drifting,
  countIf(status = 'insufficient') AS insufficient
FROM ${t('drift_scores')} FINAL
WHERE ${scored}
GROUP BY time ORDER BY time`)], { bars: true }),
  timeSeries({
    title: 'Feature observations',
    description: 'Observations per second per model reaching feature_values (single values and histogram counts).',
    unit: 'cps',
  }, [seriesSql(`
SELECT $__timeInterval(ts) AS time, model, sum(observations) / $__interval_s AS observations_per_s
FROM ${t('feature_values')}
WHERE ${scored}
GROUP BY time, model ORDER BY time`)]),
  table({
    title: 'Drifting windows',
    description: 'Windows judged drifting, newest first.',
    unit: 'none',
    thresholds: PSI_STEPS,
  }, [tableSql(`
SELECT window_start, model, feature, version, psi, threshold, n_current
FROM ${t('drift_scores')} FINAL
WHERE ${scored} AND status = 'drifting'
ORDER BY window_start DESC LIMIT 200`)], {
    columns: ['window_start', 'model', 'feature', 'version', 'psi', 'threshold', 'n_current'],
    units: { window_start: 'dateTimeAsIso', n_current: 'short' },
  }),
  table({
    title: 'Registered baselines',
    description: 'The reference distribution each model, version and feature is compared with (baselines, latest registration).',
    unit: 'none',
  }, [tableSql(`
SELECT model, version, feature, kind, source, created_at, length(edges) + length(categories) AS bins_or_categories
FROM ${t('baselines')} FINAL
WHERE ${anyOf('model', 'model')}
ORDER BY model, feature, version LIMIT 500`)], {
    columns: ['model', 'version', 'feature', 'kind', 'source', 'created_at', 'bins_or_categories'],
    units: { created_at: 'dateTimeAsIso' },
  }),
];

export function driftDashboard() {
  const d = mlwardenDashboard({
    uid: 'mlwarden-drift',
    title: 'mlwarden / Drift',
    description: 'Feature drift (PSI) per model and feature: now from /metrics, history from drift_scores, and the baselines behind it.',
    from: 'now-7d',
  }).variables([clickhouseDatasource(), prometheusDatasource(), database(), model()]);
  return withSections(d, [
    { title: 'Now', panels: now() },
    { title: 'History', panels: history() },
  ]);
}
