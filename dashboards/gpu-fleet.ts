import { seriesSql, tableSql } from './clickhouse-query.js';
import { mlwardenDashboard, withSections } from './dashboard-frame.js';
import { idleGpuCount, idleGpuTable, utilisationByNode } from './gpu-panels.js';
import { barGauge, stat, timeSeries } from './panels.js';
import { promql, promqlNow } from './prometheus-query.js';
import { anyOf, clickhouseDatasource, database, namespace, prometheusDatasource, table as t } from './variables.js';

const samples = `$__timeFilter(ts) AND ${anyOf('namespace', 'namespace')}`;

const fleet = () => [
  stat({
    title: 'GPUs reporting',
    description: 'Distinct GPUs with samples in the range, and the nodes they are on (gpu_samples).',
    unit: 'none',
  }, [tableSql(`SELECT uniqExact(gpu_uuid) AS gpus, uniqExact(node) AS nodes FROM ${t('gpu_samples')} WHERE ${samples}`)]),
  stat({
    title: 'Fleet utilisation',
    description: 'Mean utilisation of all GPU samples in the range.',
    unit: 'percent', min: 0, max: 100,
    thresholds: [[null, 'red'], [30, 'orange'], [60, 'green']],
  }, [tableSql(`SELECT avg(util_pct) AS mean_util_pct FROM ${t('gpu_samples')} WHERE ${samples}`)]),
  idleGpuCount(),
  stat({
    title: 'GPU cost, last 24h',
    description: 'Allocated GPU-hours × configured price over the last 24 hours (mlwarden_gpu_cost_usd).',
    unit: 'currencyUSD',
  }, [promqlNow('sum(mlwarden_gpu_cost_usd{namespace=~"$namespace"})', 'GPU cost')]),
  utilisationByNode(),
  timeSeries({
    title: 'GPU memory used by node',
    description: 'Used / total GPU memory per node (samples reporting memory only).',
    unit: 'percentunit', min: 0, max: 1,
    thresholds: [[null, 'green'], [0.9, 'orange'], [0.97, 'red']],
  }, [seriesSql(`
SELECT $__timeInterval(ts) AS time, node, sum(mem_used_bytes) / sum(mem_total_bytes) AS mem_used_ratio
FROM ${t('gpu_samples')}
WHERE ${samples} AND mem_total_bytes > 0
GROUP BY time, node ORDER BY time`)]),
  timeSeries({
    title: 'Power draw by node',
    description: 'Mean power per GPU sample, summed over each node\'s GPUs.',
    unit: 'watt',
  }, [seriesSql(`
SELECT time, node, sum(mean_power_w) AS power_w
FROM (
  SELECT $__timeInterval(ts) AS time, node, gpu_uuid, avg(power_w) AS mean_power_w
  FROM ${t('gpu_samples')}
  WHERE ${samples} AND power_w IS NOT NULL
  GROUP BY time, node, gpu_uuid)
GROUP BY time, node ORDER BY time`)]),
  timeSeries({
    title: 'SM activity by GPU model',
    description: 'Mean share of time streaming multiprocessors were active (DCGM sm_active), per GPU model: low values with high utilisation mean small kernels.',
    unit: 'percentunit', min: 0, max: 1,
  }, [seriesSql(`
SELECT $__timeInterval(ts) AS time, gpu_model, avg(sm_active) AS mean_sm_active
FROM ${t('gpu_samples')}
WHERE ${samples} AND sm_active IS NOT NULL
GROUP BY time, gpu_model ORDER BY time`)]),
];

const allocation = () => [
  barGauge({
    title: 'GPU-hours by job',
    description: 'GPU-minutes on which a pod of the job ran, as hours, in the range (gpu_samples).',
    unit: 'h',
  }, [tableSql(`
SELECT concat(pod_namespace, '/', pod_job) AS job_name, count() / 60 AS gpu_hours
FROM (
  SELECT toStartOfMinute(ts) AS minute, gpu_uuid, any(namespace) AS pod_namespace, any(job) AS pod_job
  FROM ${t('gpu_samples')}
  WHERE ${samples} AND pod != ''
  GROUP BY minute, gpu_uuid)
GROUP BY job_name ORDER BY gpu_hours DESC LIMIT 20`)], { rows: true }),
  timeSeries({
    title: 'GPU cost by namespace',
    description: 'Trailing-24h GPU cost per namespace as mlwarden prices it (mlwarden_gpu_cost_usd).',
    unit: 'currencyUSD',
  }, [promql('sum by (namespace) (mlwarden_gpu_cost_usd{namespace=~"$namespace"})', '{{namespace}}')]),
  barGauge({
    title: 'Cost per inference',
    description: 'GPU cost of each model over the last 24h divided by its requests (mlwarden_cost_per_inference_usd).',
    unit: 'currencyUSD',
  }, [promqlNow('mlwarden_cost_per_inference_usd', '{{model}}')]),
  idleGpuTable(),
];

export function gpuFleetDashboard() {
  const d = mlwardenDashboard({
    uid: 'mlwarden-gpu-fleet',
    title: 'mlwarden / GPU fleet',
    description: 'GPU utilisation, memory, power and allocation across nodes, idle GPUs, and GPU cost.',
    from: 'now-24h',
  }).variables([clickhouseDatasource(), prometheusDatasource(), database(), namespace()]);
  return withSections(d, [
    { title: 'Fleet', panels: fleet() },
    { title: 'Allocation and cost', panels: allocation() },
  ]);
}
