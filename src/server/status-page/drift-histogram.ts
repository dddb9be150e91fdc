import type { FeatureDrift, ModelDrift, ScoredWindow } from '../../analysis/index.js';
import { percent, psi, utcMinute } from './figure-format.js';
import { html, type Html } from './html.js';
import { driftFeatureHref } from './drift-heatmap.js';

const W = 640;
const H = 220;
const M = { left: 48, right: 10, top: 10, bottom: 40 };
const REF = '#5f6368';
const CUR = '#0b57d0';

const short = (label: string) => (label.length > 12 ? `${label.slice(0, 11)}…` : label);

/** Reference and current proportions per bin as grouped SVG bars, each with its figures in a <title>. */
function histogram(w: ScoredWindow, feature: string): Html {
  const bins = w.assessment.bins;
  if (bins.length === 0) return html`<p class="muted">No bins in this window.</p>`;
  const top = Math.max(...bins.flatMap((b) => [b.ref, b.cur]), 0.01);
  const slot = (W - M.left - M.right) / bins.length;
  const bar = Math.max(1, slot / 2 - 2);
  const y = (p: number) => H - M.bottom - (p / top) * (H - M.top - M.bottom);
  return html`<svg id="histogram" role="img" aria-labelledby="histogram-title" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
<title id="histogram-title">Reference versus current distribution of ${feature}, window from ${utcMinute(w.start)}</title>
<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#555"/>
<text x="${M.left - 6}" y="${M.top + 8}" text-anchor="end">${percent(top, 0)}</text><text x="${M.left - 6}" y="${H - M.bottom}" text-anchor="end">0%</text>
${bins.map((b, i) => {
  const x = M.left + i * slot;
  return html`<g><title>${b.label}: reference ${percent(b.ref, 1)} (${b.refCount}), current ${percent(b.cur, 1)} (${b.curCount})</title>
<rect x="${(x + 1).toFixed(1)}" y="${y(b.ref).toFixed(1)}" width="${bar.toFixed(1)}" height="${(H - M.bottom - y(b.ref)).toFixed(1)}" fill="${REF}"/>
<rect x="${(x + 1 + bar).toFixed(1)}" y="${y(b.cur).toFixed(1)}" width="${bar.toFixed(1)}" height="${(H - M.bottom - y(b.cur)).toFixed(1)}" fill="${CUR}"/>
<text x="${(x + slot / 2).toFixed(1)}" y="${H - M.bottom + 14}" text-anchor="middle">${short(b.label)}</text></g>`;
})}
</svg>
<p><span style="color:${REF}">■</span> reference <span style="color:${CUR}">■</span> current window</p>`;
}

function binTable(w: ScoredWindow): Html {
  return html`<table><caption>Bins</caption>
<thead><tr><th scope="col">Bin</th><th scope="col" class="num">Reference</th><th scope="col" class="num">Current</th><th scope="col" class="num">PSI contribution</th></tr></thead>
<tbody>${w.assessment.bins.map((b) => html`<tr><th scope="row">${b.label}</th><td class="num">${percent(b.ref, 1)} (${b.refCount})</td><td class="num">${percent(b.cur, 1)} (${b.curCount})</td><td class="num">${b.included ? psi(b.contribution) : 'left out'}</td></tr>`)}</tbody></table>`;
}

function windowNav(drift: ModelDrift, f: FeatureDrift, selected: ScoredWindow): Html {
  return html`<nav aria-label="Windows"><ul class="burns">${f.windows.map((w) => html`<li>${w === selected ? html`<strong aria-current="true">${utcMinute(w.start)}: PSI ${psi(w.assessment.psi)}</strong>` : html`<a href="${driftFeatureHref(drift.model, f.feature, w.start)}">${utcMinute(w.start)}: PSI ${psi(w.assessment.psi)}</a>`} (${w.assessment.decision.status})</li>`)}</ul></nav>`;
}

/** One feature of one model: its histograms in the selected window (the latest by default). */
export function driftFeature(drift: ModelDrift, f: FeatureDrift, windowStart: number | undefined): Html {
  const selected = f.windows.find((w) => w.start === windowStart) ?? f.windows.at(-1);
  if (selected === undefined) return html`<h2>${drift.model} / ${f.feature}</h2><p class="muted">No scored windows yet.</p>`;
  const d = selected.assessment.decision;
  return html`<h2>${drift.model} / ${f.feature}</h2>
<p>${f.kind} feature, baseline ${f.baselineVersion || '(unversioned)'}. Window from ${utcMinute(selected.start)}: PSI ${psi(selected.assessment.psi)} against threshold ${psi(d.threshold)}, <strong>${d.status}</strong>. ${d.reason}</p>
${histogram(selected, f.feature)}
${binTable(selected)}
<h3>Windows</h3>${windowNav(drift, f, selected)}`;
}
