import { DASH, percent } from './figure-format.js';
import { html, type Html } from './html.js';

/** A GPU workload as the status page shows it (the composition root maps the cluster read onto this). */
export interface GpuJobView {
  kind: string;
  namespace: string;
  name: string;
  priority: number;
  gpus: number;
  phase: 'running' | 'pending' | 'suspended' | 'finished';
  /** Mean GPU utilisation over the recent minutes (0–1); null when not measured. */
  utilisation: number | null;
  /** The preempt action that suspended it, when mlwarden did. */
  suspendedBy: string | null;
}

export interface GpuPoolView {
  capacity: number;
  /** GPUs held by running workloads. */
  used: number;
  /** Mean utilisation of the GPUs in use (0–1); null when not measured. */
  utilisation: number | null;
  jobs: GpuJobView[];
}

function jobRow(j: GpuJobView): Html {
  return html`<tr>
<th scope="row">${j.kind} ${j.namespace}/${j.name}</th>
<td class="num">${j.priority}</td><td class="num">${j.gpus}</td><td>${j.phase}</td>
<td class="num">${j.utilisation === null ? DASH : percent(j.utilisation, 0)}</td>
<td>${j.suspendedBy === null ? DASH : html`yes (action <a href="#action-${j.suspendedBy}">${j.suspendedBy}</a>)`}</td>
</tr>`;
}

/** Highest priority first, then running before the rest, then by name: the order a preemption reasons in. */
const byPriority = (a: GpuJobView, b: GpuJobView) => b.priority - a.priority || Number(b.phase === 'running') - Number(a.phase === 'running') || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);

/** 'unavailable' when the cluster read failed: the page still renders the rest. */
export function gpuPool(pool: GpuPoolView | 'unavailable' | undefined): Html {
  if (pool === undefined) return html`<p class="muted">No GPU cluster is connected.</p>`;
  if (pool === 'unavailable') return html`<p role="status" class="notice">The GPU pool could not be read just now.</p>`;
  const suspended = pool.jobs.filter((j) => j.suspendedBy !== null).length;
  return html`<p><meter min="0" max="${pool.capacity}" value="${pool.used}" aria-label="GPUs in use">${pool.used} of ${pool.capacity}</meter> ${pool.used} of ${pool.capacity} GPUs in use; utilisation ${percent(pool.utilisation, 0)}; ${suspended} job(s) suspended by mlwarden.</p>
${pool.jobs.length === 0 ? html`<p class="muted">No GPU workloads.</p>` : html`<table id="gpu-jobs"><caption class="visually-hidden">GPU workloads</caption>
<thead><tr><th scope="col">Workload</th><th scope="col" class="num">Priority</th><th scope="col" class="num">GPUs</th><th scope="col">Phase</th><th scope="col" class="num">Utilisation</th><th scope="col">Suspended by mlwarden</th></tr></thead>
<tbody>${[...pool.jobs].sort(byPriority).map(jobRow)}</tbody></table>`}`;
}
