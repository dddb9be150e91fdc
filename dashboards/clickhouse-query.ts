import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/**
 * The foundation SDK has no query type for the official ClickHouse plugin
 * (grafana-clickhouse-datasource, v4), so this is its SQL-editor query model, typed.
 */
export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource';

/** The plugin's Format enum: how a result becomes Grafana frames. */
export enum ClickHouseFormat {
  TimeSeries = 0,
  Table = 1,
}

export interface ClickHouseQuery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  editorType: 'sql';
  format: ClickHouseFormat;
  queryType: 'timeseries' | 'table';
  rawSql: string;
}

export const CLICKHOUSE: DataSourceRef = { type: CLICKHOUSE_PLUGIN, uid: '${datasource_ch}' };

export class ClickHouseQueryBuilder implements cog.Builder<ClickHouseQuery> {
  constructor(private readonly refId: string, private readonly format: ClickHouseFormat, private readonly rawSql: string) {}

  build(): ClickHouseQuery {
    return {
      // Marks the object as a Dataquery for the SDK's types; JSON serialisation drops it.
      _implementsDataqueryVariant: () => undefined,
      refId: this.refId,
      datasource: CLICKHOUSE,
      editorType: 'sql',
      format: this.format,
      queryType: this.format === ClickHouseFormat.TimeSeries ? 'timeseries' : 'table',
      rawSql: this.rawSql.trim(),
    };
  }
}

/** A time series query: a `time` column, label (string) columns, numeric value columns. */
export const seriesSql = (rawSql: string, refId = 'A') => new ClickHouseQueryBuilder(refId, ClickHouseFormat.TimeSeries, rawSql);

/** A table query: the columns as they come. */
export const tableSql = (rawSql: string, refId = 'A') => new ClickHouseQueryBuilder(refId, ClickHouseFormat.Table, rawSql);
