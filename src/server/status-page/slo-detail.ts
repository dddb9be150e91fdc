import type { AlertEventRecord } from '../../store/index.js';
import { burnRate, percent, utcMinute } from './figure-format.js';
import { html, type Html } from './html.js';
import { lineChart, type ChartThreshold } from './line-chart.js';
import { budgetMeter, healthBadge } from './slo-table.js';
import { windowBurns, type SloSummary } from './slo-summary.js';

const PAGE = '#b00020';
const TICKET = '#b36200';

function thresholds(slo: SloSummary): ChartThreshold[] {
  const seen = new Map<string, ChartThreshold>();
  for (const t of slo.tiers) {
    const label = `${t.severity} ${burnRate(t.factor)}`;
    seen.set(label, { y: t.factor, label, colour: t.severity === 'page' ? PAGE : TICKET });
  }
  return [...seen.values()];
}

function burnByWindow(slo: SloSummary): Html {
  const burns = windowBurns(slo);
  const points = burns.flatMap((b, i) => (b.rate === null ? [] : [{ x: i, y: b.rate }]));
  return lineChart({
    id: 'burn-by-window',
    title: `Burn rate per window for ${slo.name}`,
    description: burns.map((b) => `${b.window}: ${burnRate(b.rate)}`).join('; '),
    series: [{ name: 'burn rate', colour: '#0b57d0', points }],
    thresholds: thresholds(slo),
    xTicks: burns.map((b, i) => ({ x: i, label: b.window })),
    formatY: (y) => burnRate(y),
  });
}

function burnHistory(slo: SloSummary, history: readonly AlertEventRecord[]): Html {
  const events = [...history].filter((h) => h.long_burn !== null || h.short_burn !== null).sort((a, b) => a.ts - b.ts);
  if (events.length === 0) return html`<p class="muted">No alert evaluations recorded for this SLO yet, so there is no burn-rate history to draw.</p>`;
  const line = (pick: (h: AlertEventRecord) => number | null) => events.flatMap((h) => (pick(h) === null ? [] : [{ x: h.ts, y: pick(h) as number }]));
  const first = events[0] as AlertEventRecord;
  const last = events.at(-1) as AlertEventRecord;
  return lineChart({
    id: 'burn-history',
    title: `Burn rate over time for ${slo.name}`,
    description: `${events.length} alert evaluations from ${utcMinute(first.ts)} to ${utcMinute(last.ts)}`,
    series: [
      { name: 'long window', colour: '#0b57d0', points: line((h) => h.long_burn) },
      { name: 'short window', colour: '#6a1b9a', points: line((h) => h.short_burn) },
    ],
    thresholds: thresholds(slo),
    xTicks: [first, last].map((h) => ({ x: h.ts, label: utcMinute(h.ts).slice(5, 16) })),
    formatY: (y) => burnRate(y),
  });
}

/** Bad share per window = burn rate × (1 − objective); for a latency SLI that is the share slower than the threshold. */
function badShare(slo: SloSummary): Html {
  const burns = windowBurns(slo);
  const allowed = 1 - slo.objective;
  const what = slo.sli.type === 'latency' ? `Requests slower than ${slo.sli.threshold_ms} ms` : 'Bad events';
  const points = burns.flatMap((b, i) => (b.rate === null ? [] : [{ x: i, y: b.rate * allowed }]));
  return lineChart({
    id: 'bad-share',
    title: `${what} per window for ${slo.name}`,
    description: burns.map((b) => `${b.window}: ${percent(b.rate === null ? null : b.rate * allowed, 3)}`).join('; '),
    series: [{ name: slo.sli.type === 'latency' ? 'share slower than threshold' : 'share of bad events', colour: '#00695c', points }],
    thresholds: [{ y: allowed, label: `budget ${percent(allowed, 2)}`, colour: '#555' }],
    xTicks: burns.map((b, i) => ({ x: i, label: b.window })),
    formatY: (y) => percent(y, 2),
  });
}

function tierTable(slo: SloSummary): Html {
  if (slo.tiers.length === 0) return html`<p class="muted">Not evaluated yet.</p>`;
  return html`<table><caption>Alert tiers</caption>
<thead><tr><th scope="col">Tier</th><th scope="col">Severity</th><th scope="col">Windows</th><th scope="col" class="num">Factor</th><th scope="col" class="num">Long burn</th><th scope="col" class="num">Short burn</th><th scope="col">Status</th></tr></thead>
<tbody>${slo.tiers.map((t) => html`<tr><th scope="row">${t.name}</th><td>${t.severity}</td><td>${t.long_window} / ${t.short_window}</td><td class="num">${burnRate(t.factor)}</td><td class="num">${burnRate(t.long_burn)}</td><td class="num">${burnRate(t.short_burn)}</td><td>${t.status}</td></tr>`)}</tbody></table>`;
}

export function sloDetail(slo: SloSummary, history: readonly AlertEventRecord[]): Html {
  return html`<h2>${slo.name} ${healthBadge(slo.status)}</h2>
<p>${slo.description}</p>
<dl>
<dt>Service</dt><dd>${slo.service}</dd>
<dt>Objective</dt><dd>${percent(slo.objective, 3)} over ${slo.window}</dd>
<dt>SLI now</dt><dd>${percent(slo.sli_value, 3)}</dd>
<dt>Error budget remaining</dt><dd>${budgetMeter(slo.budget_remaining, 'error budget remaining')}</dd>
<dt>Evaluated</dt><dd>${utcMinute(slo.evaluated_at)}</dd>
${slo.evaluation_error ? html`<dt>Last evaluation error</dt><dd>${slo.evaluation_error}</dd>` : ''}
</dl>
<h3>Burn rate per window</h3>${burnByWindow(slo)}
<h3>${slo.sli.type === 'latency' ? 'Latency' : 'Bad events'} per window</h3>${badShare(slo)}
<h3>Burn rate history</h3>${burnHistory(slo, history)}
${tierTable(slo)}`;
}
