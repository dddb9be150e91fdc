import type { ActionEntry } from '../../store/index.js';
import { DASH, utcMinute } from './figure-format.js';
import { html, type Html } from './html.js';

export const decisionPath = (id: string, verb: 'approve' | 'reject'): string => `/actions/${encodeURIComponent(id)}/${verb}`;

const MAX_CAUSE = 240;

function causeText(cause: Record<string, unknown>): string {
  const text = Object.entries(cause)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > MAX_CAUSE ? `${text.slice(0, MAX_CAUSE - 1)}…` : text || DASH;
}

/** One token field, two buttons: the same form posts to approve or reject (formaction). */
function decisionForm(a: ActionEntry): Html {
  const field = `token-${a.id}`;
  return html`<form class="decide" method="post" action="${decisionPath(a.id, 'approve')}">
<label for="${field}">Admin token</label><input type="password" id="${field}" name="token" autocomplete="off" required>
<label for="by-${a.id}">Your name</label><input type="text" id="by-${a.id}" name="by" maxlength="64" size="10">
<button type="submit">Approve</button><button type="submit" formaction="${decisionPath(a.id, 'reject')}">Reject</button>
</form>`;
}

function actionRow(a: ActionEntry, canDecide: boolean): Html {
  const waiting = a.status === 'awaiting-approval';
  return html`<tr id="action-${a.id}">
<th scope="row">${a.kind}<br><span class="muted">${a.id}</span></th>
<td>${a.target}</td><td>${a.policy}</td>
<td><span class="status status-${a.status}">${a.status}</span>${a.actor ? html`<br><span class="muted">by ${a.actor}</span>` : ''}</td>
<td>${a.reason}</td><td>${causeText(a.cause)}</td><td>${utcMinute(a.created_at)}</td>
<td>${waiting ? (canDecide ? decisionForm(a) : html`<span class="muted">awaiting approval (no policy engine here to decide)</span>`) : DASH}</td>
</tr>`;
}

export function actionLog(actions: readonly ActionEntry[], canDecide: boolean): Html {
  if (actions.length === 0) return html`<p class="muted">No actions recorded.</p>`;
  return html`<table id="action-log"><caption class="visually-hidden">Latest policy actions</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Policy</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Cause</th><th scope="col">Created</th><th scope="col">Decision</th></tr></thead>
<tbody>${actions.map((a) => actionRow(a, canDecide))}</tbody></table>`;
}
