import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { PanelBuilder as BarChartPanel } from '@grafana/grafana-foundation-sdk/barchart';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BarGaugeDisplayMode, GraphDrawStyle, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, LegendDisplayMode, LegendPlacement,
  ReduceDataOptionsBuilder, VizLegendOptionsBuilder, VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as HeatmapPanel } from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** A threshold step: from this value up (null = the base), this colour. */
export type Step = [number | null, string];

/** What every panel states: a unit, a description, and its thresholds (just a base colour where none mean anything). */
export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  thresholds?: Step[];
  width?: number;
  height?: number;
  min?: number;
  max?: number;
}

type Query = cog.Builder<cog.Dataquery>;

const thresholds = (steps: Step[] = [[null, 'green']]) =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([value, color]) => ({ value, color })));

const legend = () => new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).calcs(['lastNotNull', 'max']);

const lastValue = (values = false) => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(values).fields('');

/** The fields every panel kind shares, set in one place. */
function common<P extends { title(t: string): P; description(d: string): P; unit(u: string): P; thresholds(t: ThresholdsConfigBuilder): P; span(w: number): P; height(h: number): P; min(m: number): P; max(m: number): P; withTarget(q: Query): P }>(
  panel: P, spec: PanelSpec, queries: Query[], defaults: { width: number; height: number },
): P {
  let p = panel.title(spec.title).description(spec.description).unit(spec.unit).thresholds(thresholds(spec.thresholds))
    .span(spec.width ?? defaults.width).height(spec.height ?? defaults.height);
  if (spec.min !== undefined) p = p.min(spec.min);
  if (spec.max !== undefined) p = p.max(spec.max);
  for (const q of queries) p = p.withTarget(q);
  return p;
}

/** A time series; thresholds beyond the base are drawn as dashed lines (SLO burn-rate tiers, PSI levels). */
export function timeSeries(spec: PanelSpec, queries: Query[], options: { bars?: boolean } = {}): TimeseriesPanel {
  const drawn = (spec.thresholds?.length ?? 0) > 1;
  return common(new TimeseriesPanel(), spec, queries, { width: 12, height: 8 })
    .legend(legend())
    .drawStyle(options.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line)
    .fillOpacity(options.bars ? 80 : 10)
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(drawn ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off));
}

export function stat(spec: PanelSpec, queries: Query[]): StatPanel {
  return common(new StatPanel(), spec, queries, { width: 6, height: 4 }).reduceOptions(lastValue());
}

/** One bar per series, or per row of a table result (its string column names the bar). */
export function barGauge(spec: PanelSpec, queries: Query[], options: { rows?: boolean } = {}): BarGaugePanel {
  return common(new BarGaugePanel(), spec, queries, { width: 12, height: 8 })
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal)
    .reduceOptions(lastValue(options.rows ?? false));
}

/** Bars per category: the first string column is the x axis. */
export function barChart(spec: PanelSpec, queries: Query[]): BarChartPanel {
  return common(new BarChartPanel(), spec, queries, { width: 12, height: 8 }).legend(legend().calcs([]));
}

/** Latency heatmap: Grafana buckets the raw values itself. */
export function heatmap(spec: PanelSpec, queries: Query[]): HeatmapPanel {
  return common(new HeatmapPanel(), spec, queries, { width: 24, height: 9 }).calculate(true);
}

export interface TableColumns {
  /** The query's columns in display order: the table shows exactly these. */
  columns: string[];
  /** Units of columns that differ from the panel's. */
  units?: Record<string, string>;
}

/**
 * A table whose columns are named by an organize transformation, so the panel states which
 * columns it expects from its query (the dashboard tests hold the query to them).
 */
export function table(spec: PanelSpec, queries: Query[], layout: TableColumns): TablePanel {
  let p = common(new TablePanel(), spec, queries, { width: 24, height: 8 }).withTransformation({
    id: 'organize',
    options: { indexByName: Object.fromEntries(layout.columns.map((c, i) => [c, i])), excludeByName: {}, renameByName: {} },
  });
  for (const [column, unit] of Object.entries(layout.units ?? {})) p = p.overrideByName(column, [{ id: 'unit', value: unit }]);
  return p;
}
