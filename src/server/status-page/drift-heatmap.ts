import type { FeatureDrift, ModelDrift, ScoredWindow } from '../../analysis/index.js';
import { psi, utcClock, utcMinute } from './figure-format.js';
import { html, type Html } from './html.js';

/** PSI bands: below 0.1 is stable by convention, 0.1–0.25 moderate, above 0.25 significant. */
const BANDS = [0.05, 0.1, 0.175, 0.25, 0.5];

export const psiBand = (value: number | null): string => (value === null ? 'psi-none' : `psi-${BANDS.filter((b) => value >= b).length}`);

export const driftFeatureHref = (model: string, feature: string, windowStart?: number): string =>
  `/drift/${encodeURIComponent(model)}/${encodeURIComponent(feature)}${windowStart === undefined ? '' : `?window=${windowStart}`}`;

function windowStarts(drift: ModelDrift): number[] {
  return [...new Set(drift.features.flatMap((f) => f.windows.map((w) => w.start)))].sort((a, b) => a - b);
}

function cell(drift: ModelDrift, f: FeatureDrift, w: ScoredWindow | undefined): Html {
  if (w === undefined) return html`<td class="psi-none"><span class="visually-hidden">no window</span></td>`;
  const d = w.assessment.decision;
  const label = `${f.feature}, window ${utcMinute(w.start)} to ${utcClock(w.end)}: PSI ${psi(w.assessment.psi)}, ${d.status}`;
  return html`<td class="${psiBand(w.assessment.psi)}" title="${label}"><a href="${driftFeatureHref(drift.model, f.feature, w.start)}" aria-label="${label}">${d.status === 'drifting' ? html`<strong>${psi(w.assessment.psi)}</strong>` : psi(w.assessment.psi)}</a></td>`;
}

function featureRow(drift: ModelDrift, f: FeatureDrift, starts: number[]): Html {
  const byStart = new Map(f.windows.map((w) => [w.start, w]));
  return html`<tr><th scope="row"><a href="${driftFeatureHref(drift.model, f.feature)}">${f.feature}</a>${f.drifting ? html` <span class="over-page">drifting</span>` : ''}</th>${starts.map((s) => cell(drift, f, byStart.get(s)))}</tr>`;
}

function modelHeatmap(drift: ModelDrift): Html {
  const starts = windowStarts(drift);
  return html`<section aria-labelledby="drift-${drift.model}">
<h3 id="drift-${drift.model}">Model ${drift.model}</h3>
<p>Evaluated ${utcMinute(drift.evaluatedAt)}; ${drift.share.drifting.length} of ${drift.features.length} features drifting (share ${psi(drift.share.share)}).</p>
<table class="heatmap">
<caption class="visually-hidden">PSI per feature (rows) and window (columns) for model ${drift.model}</caption>
<thead><tr><th scope="col">Feature</th>${starts.map((s) => html`<th scope="col" title="${utcMinute(s)}">${utcClock(s)}</th>`)}</tr></thead>
<tbody>${drift.features.map((f) => featureRow(drift, f, starts))}</tbody>
</table></section>`;
}

export function driftHeatmap(models: readonly ModelDrift[]): Html {
  if (models.length === 0) return html`<p class="muted">No drift evaluations yet (register a baseline with POST /v1/baselines).</p>`;
  return html`<p class="muted">PSI per window: green below 0.1, amber 0.1–0.25, red above 0.25; bold cells are windows judged drifting. Select a cell for its histograms.</p>
${models.map(modelHeatmap)}`;
}
