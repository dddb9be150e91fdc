import { burnRate, percent } from './figure-format.js';
import { html, type Html } from './html.js';
import { healthLabel, windowBurns, type SloSummary, type WindowBurn } from './slo-summary.js';

export const sloHref = (name: string): string => `/slos/${encodeURIComponent(name)}`;

function burnItem(b: WindowBurn): Html {
  const overPage = b.page !== undefined && b.rate !== null && b.rate >= b.page;
  const overTicket = !overPage && b.ticket !== undefined && b.rate !== null && b.rate >= b.ticket;
  const limits = [b.page !== undefined ? `page ≥ ${burnRate(b.page)}` : '', b.ticket !== undefined ? `ticket ≥ ${burnRate(b.ticket)}` : ''].filter((x) => x !== '').join(', ');
  const mark = overPage ? ' ▲ page' : overTicket ? ' △ ticket' : '';
  return html`<li class="${overPage ? 'over-page' : overTicket ? 'over-ticket' : ''}">${b.window}: ${burnRate(b.rate)}${mark} <span class="muted">(${limits || 'no tier'})</span></li>`;
}

/** A <meter> carries the value for assistive technology; the text beside it for everyone else. */
export function budgetMeter(remaining: number | null, label: string): Html {
  if (remaining === null) return html`<span class="muted">no data</span>`;
  const clamped = Math.max(0, Math.min(1, remaining));
  return html`<meter min="0" max="1" low="0.25" high="0.5" optimum="1" value="${clamped.toFixed(4)}" aria-label="${label}">${percent(remaining, 1)}</meter> ${percent(remaining, 1)}`;
}

export const healthBadge = (status: string): Html => html`<span class="health health-${status}">${healthLabel(status)}</span>`;

function sloRow(slo: SloSummary): Html {
  return html`<tr>
<th scope="row"><a href="${sloHref(slo.name)}">${slo.name}</a><br><span class="muted">${slo.service}</span></th>
<td class="num">${percent(slo.objective, 3)}</td>
<td class="num">${percent(slo.sli_value, 3)}</td>
<td>${budgetMeter(slo.budget_remaining, `error budget remaining for ${slo.name}`)}</td>
<td><ul class="burns">${windowBurns(slo).map(burnItem)}</ul></td>
<td>${healthBadge(slo.status)}${slo.evaluation_error ? html`<br><span class="muted">${slo.evaluation_error}</span>` : ''}</td>
</tr>`;
}

export function sloTable(slos: readonly SloSummary[]): Html {
  if (slos.length === 0) return html`<p class="muted">No SLOs are configured.</p>`;
  return html`<table id="slo-table">
<caption class="visually-hidden">Service level objectives, ${slos.length} in all</caption>
<thead><tr><th scope="col">SLO</th><th scope="col" class="num">Objective</th><th scope="col" class="num">SLI now</th><th scope="col">Budget remaining</th><th scope="col">Burn rate per window</th><th scope="col">Health</th></tr></thead>
<tbody>${slos.map(sloRow)}</tbody>
</table>`;
}
