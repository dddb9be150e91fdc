import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';

export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${datasource_prom}' };

/** A range query over mlwarden's /metrics. */
export function promql(expr: string, legend: string, refId = 'A'): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legend).range();
}

/** An instant query: the current value, for stats, gauges and tables. */
export function promqlNow(expr: string, legend: string, refId = 'A'): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legend).instant();
}
