import { tableSql, seriesSql } from './clickhouse-query.js';
import { stat, table, timeSeries } from './panels.js';
import { anyOf, table as t } from './variables.js';

/** GPUs averaging under this utilisation over the last 15 minutes of the range count as idle. */
export const IDLE_UTIL_PCT = 5;

const lastQuarterHour = `ts > $__toTime - INTERVAL 15 MINUTE AND ts <= $__toTime AND ${anyOf('namespace', 'namespace')}`;

export const utilisationByNode = () =>
  timeSeries({
    title: 'GPU utilisation by node',
    description: 'Mean GPU utilisation of each node\'s GPUs (gpu_samples.util_pct).',
    unit: 'percent', min: 0, max: 100,
    thresholds: [[null, 'red'], [30, 'orange'], [60, 'green']],
  }, [seriesSql(`
SELECT $__timeInterval(ts) AS time, node, avg(util_pct) AS utilisation
FROM ${t('gpu_samples')}
WHERE $__timeFilter(ts) AND ${anyOf('namespace', 'namespace')}
GROUP BY time, node ORDER BY time`)]);

export const idleGpuCount = () =>
  stat({
    title: 'Idle GPUs',
    description: `GPUs averaging under ${IDLE_UTIL_PCT}% utilisation over the last 15 minutes of the range, of all GPUs reporting then.`,
    unit: 'none',
    thresholds: [[null, 'green'], [1, 'orange']],
  }, [tableSql(`
SELECT countIf(util < ${IDLE_UTIL_PCT}) AS idle_gpus, count() AS gpus_reporting
FROM (SELECT gpu_uuid, avg(util_pct) AS util FROM ${t('gpu_samples')} WHERE ${lastQuarterHour} GROUP BY gpu_uuid)`)]);

export const idleGpuTable = () =>
  table({
    title: 'Idle GPUs',
    description: `GPUs averaging under ${IDLE_UTIL_PCT}% utilisation over the last 15 minutes of the range; a pod means the GPU is allocated but unused.`,
    unit: 'none',
  }, [tableSql(`
SELECT node, gpu_uuid, any(gpu_model) AS gpu_model, any(namespace) AS pod_namespace, any(pod) AS pod, any(job) AS job, avg(util_pct) AS mean_util_pct
FROM ${t('gpu_samples')}
WHERE ${lastQuarterHour}
GROUP BY node, gpu_uuid HAVING mean_util_pct < ${IDLE_UTIL_PCT}
ORDER BY node, gpu_uuid LIMIT 500`)], {
    columns: ['node', 'gpu_uuid', 'gpu_model', 'pod_namespace', 'pod', 'job', 'mean_util_pct'],
    units: { mean_util_pct: 'percent' },
  });
