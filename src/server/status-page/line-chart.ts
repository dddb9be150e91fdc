import { html, type Html } from './html.js';

export interface ChartSeries {
  name: string;
  colour: string;
  points: ReadonlyArray<{ x: number; y: number }>;
}

export interface ChartThreshold {
  y: number;
  label: string;
  colour: string;
}

export interface LineChart {
  id: string;
  title: string;
  /** Read by screen readers in place of the drawing (the page also shows the figures as a table). */
  description: string;
  series: readonly ChartSeries[];
  thresholds?: readonly ChartThreshold[];
  xTicks: ReadonlyArray<{ x: number; label: string }>;
  formatY: (y: number) => string;
}

const W = 640;
const H = 240;
const M = { left: 56, right: 110, top: 14, bottom: 30 };

function scale(domain: [number, number], range: [number, number]) {
  const span = domain[1] - domain[0] || 1;
  return (v: number) => range[0] + ((v - domain[0]) / span) * (range[1] - range[0]);
}

const coordinate = (v: number) => v.toFixed(1);

/** Label heights for threshold lines, pushed apart (bottom up) so close thresholds stay readable. */
function labelYs(ys: readonly number[]): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => b.y - a.y);
  const out = new Array<number>(ys.length);
  let previous = Number.POSITIVE_INFINITY;
  for (const { y, i } of order) {
    previous = Math.min(y + 4, previous - 11);
    out[i] = previous;
  }
  return out;
}

/** An inline SVG line chart: one polyline per series, dashed lines for thresholds, labelled axes. */
export function lineChart(chart: LineChart): Html {
  const xs = [...chart.series.flatMap((s) => s.points.map((p) => p.x)), ...chart.xTicks.map((t) => t.x)];
  const ys = [0, ...chart.series.flatMap((s) => s.points.map((p) => p.y)), ...(chart.thresholds ?? []).map((t) => t.y)];
  if (xs.length === 0) return html`<p class="muted">${chart.title}: no data yet.</p>`;
  const x = scale([Math.min(...xs), Math.max(...xs)], [M.left, W - M.right]);
  const yMax = Math.max(...ys) * 1.1 || 1;
  const y = scale([0, yMax], [H - M.bottom, M.top]);
  const yTicks = [0, yMax / 2, yMax];
  const thresholds = chart.thresholds ?? [];
  const labelsAt = labelYs(thresholds.map((t) => y(t.y)));
  return html`<figure>
<svg id="${chart.id}" role="img" aria-labelledby="${chart.id}-title ${chart.id}-desc" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
<title id="${chart.id}-title">${chart.title}</title><desc id="${chart.id}-desc">${chart.description}</desc>
<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#555"/>
<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#555"/>
${yTicks.map((t) => html`<text x="${M.left - 6}" y="${coordinate(y(t) + 4)}" text-anchor="end">${chart.formatY(t)}</text>`)}
${chart.xTicks.map((t) => html`<text x="${coordinate(x(t.x))}" y="${H - M.bottom + 16}" text-anchor="middle">${t.label}</text>`)}
${thresholds.map((t, i) => html`<line x1="${M.left}" x2="${W - M.right}" y1="${coordinate(y(t.y))}" y2="${coordinate(y(t.y))}" stroke="${t.colour}" stroke-dasharray="5 4"/><text x="${W - M.right + 4}" y="${coordinate(labelsAt[i] as number)}">${t.label}</text>`)}
${chart.series.map((s) => html`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${s.points.map((p) => `${coordinate(x(p.x))},${coordinate(y(p.y))}`).join(' ')}"><title>${s.name}</title></polyline>${s.points.map((p) => html`<circle cx="${coordinate(x(p.x))}" cy="${coordinate(y(p.y))}" r="2.5" fill="${s.colour}"/>`)}`)}
</svg>
<figcaption>${chart.series.map((s) => html`<span style="color:${s.colour}">━</span> ${s.name} `)}</figcaption>
</figure>`;
}
