import {
  ConstantVariableBuilder, DatasourceVariableBuilder, QueryVariableBuilder, TextBoxVariableBuilder, VariableRefresh, VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { CLICKHOUSE, CLICKHOUSE_PLUGIN } from './clickhouse-query.js';
import { PROMETHEUS } from './prometheus-query.js';

/**
 * Template variables the dashboards share. ClickHouse filters go through the plugin's
 * $__conditionalAll macro, so "All" adds no IN list at all (and rows with an empty label still match).
 */
export const anyOf = (column: string, variable: string): string =>
  `$__conditionalAll(${column} IN (\${${variable}:singlequote}), $${variable})`;

/** A table in mlwarden's database (store.database, default mlwarden). */
export const table = (name: string): string => `\${database}.${name}`;

export const clickhouseDatasource = () =>
  new DatasourceVariableBuilder('datasource_ch').label('ClickHouse').type(CLICKHOUSE_PLUGIN).description('The ClickHouse data source holding mlwarden\'s tables.');

export const prometheusDatasource = () =>
  new DatasourceVariableBuilder('datasource_prom').label('Prometheus').type('prometheus').description('The Prometheus that scrapes mlwarden\'s /metrics.');

export const database = () =>
  new ConstantVariableBuilder('database').value('mlwarden').description('mlwarden\'s ClickHouse database (store.database); edit it here if yours differs.');

function clickhouseList(name: string, label: string, sql: string, multi: boolean) {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(CLICKHOUSE)
    .query(sql)
    .definition(sql)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
}

export const namespace = () =>
  clickhouseList('namespace', 'Namespace', `SELECT DISTINCT namespace FROM (
  SELECT namespace FROM ${table('requests_1m')} WHERE $__timeFilter(minute)
  UNION ALL SELECT namespace FROM ${table('runs')} WHERE $__timeFilter(ts)
  UNION ALL SELECT namespace FROM ${table('gpu_samples')} WHERE $__timeFilter(ts))
WHERE namespace != '' ORDER BY namespace`, true);

export const model = (multi = true) =>
  clickhouseList('model', 'Model', `SELECT DISTINCT model FROM (
  SELECT model FROM ${table('requests_1m')} WHERE $__timeFilter(minute)
  UNION ALL SELECT model FROM ${table('drift_scores')} WHERE $__timeFilter(ts))
ORDER BY model`, multi);

export const version = () =>
  clickhouseList('version', 'Version', `SELECT DISTINCT version FROM ${table('requests_1m')}
WHERE $__timeFilter(minute) AND ${anyOf('model', 'model')} AND version != '' ORDER BY version`, true);

export const feature = () =>
  clickhouseList('feature', 'Feature', `SELECT DISTINCT feature FROM (
  SELECT model, feature FROM ${table('drift_scores')} WHERE $__timeFilter(ts)
  UNION ALL SELECT model, feature FROM ${table('baselines')})
WHERE ${anyOf('model', 'model')} ORDER BY feature`, false);

export const slo = () =>
  new QueryVariableBuilder('slo')
    .label('SLO')
    .datasource(PROMETHEUS)
    .query('label_values(mlwarden_slo_objective_ratio, slo)')
    .definition('label_values(mlwarden_slo_objective_ratio, slo)')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);

export const gpuHourPrice = () =>
  new TextBoxVariableBuilder('gpu_hour_usd')
    .label('USD per GPU-hour')
    .defaultValue('2.5')
    .description('Price of one GPU-hour for cost panels computed in ClickHouse (mlwarden\'s costs.default_gpu_hour_usd).');
