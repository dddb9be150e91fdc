import type { ModelDrift } from '../../analysis/index.js';
import type { ActionEntry } from '../../store/index.js';
import { actionLog } from './action-log.js';
import { driftHeatmap } from './drift-heatmap.js';
import { utcMinute } from './figure-format.js';
import { gpuPool, type GpuPoolView } from './gpu-pool.js';
import { html, type Html } from './html.js';
import { layout } from './layout.js';
import type { SloSummary } from './slo-summary.js';
import { sloTable } from './slo-table.js';

export interface Overview {
  now: number;
  slos: readonly SloSummary[];
  drift: readonly ModelDrift[];
  gpu: GpuPoolView | 'unavailable' | undefined;
  actions: readonly ActionEntry[];
  canDecide: boolean;
  /** Set after a decision made through the page (the 303 lands here). */
  decided?: { id: string; status: string } | undefined;
}

function counts(slos: readonly SloSummary[]): string {
  const burning = slos.filter((s) => s.status === 'burning').length;
  return `${slos.length} SLOs, ${burning} burning`;
}

/** GET /: every SLO, the drift heatmap, the GPU pool and the action log on one page. */
export function overviewPage(o: Overview): Html {
  return layout(
    'Status',
    html`<p class="muted">As of ${utcMinute(o.now)}: ${counts(o.slos)}.</p>
${o.decided ? html`<p role="status" class="notice">Action ${o.decided.id} is now ${o.decided.status}.</p>` : ''}
<section aria-labelledby="slos"><h2 id="slos">Service level objectives</h2>${sloTable(o.slos)}</section>
<section aria-labelledby="drift"><h2 id="drift">Feature drift</h2>${driftHeatmap(o.drift)}</section>
<section aria-labelledby="gpu"><h2 id="gpu">GPU pool</h2>${gpuPool(o.gpu)}</section>
<section aria-labelledby="actions"><h2 id="actions">Action log</h2>${actionLog(o.actions, o.canDecide)}</section>`,
  );
}
