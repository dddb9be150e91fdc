import { beforeAll, describe, expect, test } from 'vitest';
import type { ModelDrift } from '../../../src/analysis/index.js';
import type { SloSummary } from '../../../src/server/index.js';
import { actionLog } from '../../../src/server/status-page/action-log.js';
import { driftHeatmap, psiBand } from '../../../src/server/status-page/drift-heatmap.js';
import { driftFeature } from '../../../src/server/status-page/drift-histogram.js';
import { gpuPool } from '../../../src/server/status-page/gpu-pool.js';
import { html } from '../../../src/server/status-page/html.js';
import { overviewPage } from '../../../src/server/status-page/overview-page.js';
import { sloDetail } from '../../../src/server/status-page/slo-detail.js';
import { sloTable } from '../../../src/server/status-page/slo-table.js';
import { action, modelDrift, NOW, sloSummaries } from './status-fixtures.js';

const HOSTILE = '<script>alert("x")</script>';
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';

let summaries: SloSummary[];
let drift: ModelDrift;
beforeAll(async () => {
  summaries = await sloSummaries(100);
  drift = await modelDrift('fraud', 6);
});

const empty = { now: NOW, slos: [], drift: [], gpu: undefined, actions: [], canDecide: true };

describe('escaping', () => {
  test('the html template escapes interpolated text, arrays included, and keeps its own markup', () => {
    expect(html`<p>${HOSTILE}</p>`.value).toBe(`<p>${ESCAPED}</p>`);
    expect(html`<ul>${['<a>', html`<li>${"'"}</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>&#39;</li></ul>');
  });

  test.each([
    ['an SLO name, service and evaluation error in the table', () => sloTable([{ ...(summaries[0] as SloSummary), name: HOSTILE, service: HOSTILE, evaluation_error: HOSTILE }]).value],
    ['an SLO name and description on its page', () => sloDetail({ ...(summaries[0] as SloSummary), name: HOSTILE, description: HOSTILE }, []).value],
    ['a model and feature name in the heatmap', () => driftHeatmap([{ ...drift, model: HOSTILE, features: drift.features.map((f) => ({ ...f, feature: HOSTILE })) }]).value],
    ['a feature on its histogram page', () => driftFeature({ ...drift, model: HOSTILE }, { ...(drift.features[0] as ModelDrift['features'][number]), feature: HOSTILE }, undefined).value],
    ['a job name in the GPU pool', () => gpuPool({ capacity: 4, used: 2, utilisation: 0.5, jobs: [{ kind: 'Job', namespace: HOSTILE, name: HOSTILE, priority: 1, gpus: 2, phase: 'running', utilisation: null, suspendedBy: HOSTILE }] }).value],
    ['an action id, target, reason and cause', () => actionLog([action({ id: HOSTILE, target: HOSTILE, reason: HOSTILE, cause: { [HOSTILE]: HOSTILE }, status: 'awaiting-approval' })], true).value],
  ])('%s is escaped', (_, render) => {
    const page = render();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
  });

  test('an action id in a form action is URL-encoded, never raw', () => {
    const page = actionLog([action({ id: '"><x', status: 'awaiting-approval' })], true).value;
    expect(page).toContain('action="/actions/%22%3E%3Cx/approve"');
    expect(page).not.toContain('"><x');
  });
});

describe('empty states', () => {
  test('a fresh install says what is missing instead of showing empty tables', () => {
    const page = overviewPage(empty).value;
    expect(page).toContain('No SLOs are configured.');
    expect(page).toContain('No drift evaluations yet');
    expect(page).toContain('No GPU cluster is connected.');
    expect(page).toContain('No actions recorded.');
    expect(page).not.toContain('<table');
  });

  test('a failed GPU read is reported and the rest of the page still renders', () => {
    expect(overviewPage({ ...empty, gpu: 'unavailable' }).value).toContain('could not be read');
  });

  test('an SLO not evaluated yet shows dashes and "not evaluated", never NaN or null', async () => {
    const [fresh] = await sloSummaries(1);
    const page = sloTable([{ ...(fresh as SloSummary), status: 'not-evaluated', sli_value: null, budget_remaining: null, burn_rates: {}, tiers: [] }]).value;
    expect(page).toContain('not evaluated');
    expect(page).not.toMatch(/NaN|null|undefined/);
  });
});

describe('the SLO table', () => {
  test('at 100 SLOs every SLO has a row, a budget meter and a link to its page', () => {
    const page = sloTable(summaries).value;
    expect(page.match(/<tr>\s*<th scope="row">/g)).toHaveLength(100);
    expect(page.match(/<meter /g)).toHaveLength(100);
    for (const s of summaries) expect(page).toContain(`href="/slos/${s.name}"`);
  });

  test('a window burning above the page factor is marked page; a calm one is not', () => {
    const burning = summaries[0] as SloSummary;
    expect(burning.status).toBe('burning');
    const page = sloTable([burning]).value;
    expect(page).toMatch(/<li class="over-page">1h: 20\.0× ▲ page <span class="muted">\(page ≥ 14\.4×/);
    const calm = sloTable([summaries[1] as SloSummary]).value;
    expect(calm).not.toContain('over-page');
    expect(calm).toContain('healthy');
  });
});

describe('the SLO page', () => {
  test('draws the burn rate per window and the bad share as polylines with the tier thresholds', () => {
    const page = sloDetail(summaries[1] as SloSummary, []).value;
    expect(page).toMatch(/<svg id="burn-by-window" role="img"/);
    expect(page).toMatch(/<svg id="bad-share" role="img"/);
    expect(page.match(/<polyline /g)).toHaveLength(2);
    expect(page).toContain('page 14.4×');
    expect(page).toContain('Requests slower than 250 ms per window');
    expect(page).toContain('no burn-rate history');
  });
});

describe('drift', () => {
  test('the heatmap has a cell per feature and window, its PSI in text and aria-label', () => {
    const page = driftHeatmap([drift]).value;
    expect(page.match(/<td class="psi-/g)).toHaveLength(6 * 12);
    const f0 = drift.features[0]?.windows.at(-1);
    expect(page).toContain(`PSI ${f0?.assessment.psi?.toFixed(3)}, drifting`);
  });

  test('PSI bands: stable green, moderate amber, significant red, unknown grey', () => {
    expect([null, 0.01, 0.07, 0.12, 0.2, 0.3, 1].map(psiBand)).toEqual(['psi-none', 'psi-0', 'psi-1', 'psi-2', 'psi-3', 'psi-4', 'psi-5']);
  });

  test('a feature page draws a reference and a current bar per bin', () => {
    const feature = drift.features[0] as ModelDrift['features'][number];
    const page = driftFeature(drift, feature, undefined).value;
    expect(page.match(/<rect /g)).toHaveLength(2 * (feature.windows.at(-1)?.assessment.bins.length ?? 0));
    expect(page).toContain('aria-current="true"');
  });
});

describe('actions', () => {
  test('only an action awaiting approval gets the form, with a labelled password field', () => {
    const page = actionLog([action({ id: 'wait', status: 'awaiting-approval' }), action({ id: 'done' })], true).value;
    expect(page.match(/<form /g)).toHaveLength(1);
    expect(page).toContain('<label for="token-wait">Admin token</label><input type="password" id="token-wait" name="token"');
  });

  test('without an approver the awaiting action is shown but cannot be decided', () => {
    const page = actionLog([action({ status: 'awaiting-approval' })], false).value;
    expect(page).not.toContain('<form');
    expect(page).toContain('no policy engine');
  });
});
