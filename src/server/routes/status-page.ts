import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ModelDrift } from '../../analysis/index.js';
import { isMlwardenError } from '../../domain/errors.js';
import type { ActionEntry, AlertEventRecord } from '../../store/index.js';
import { requireViewer, type Authenticator } from '../auth.js';
import { STATUS_FOR } from '../problem.js';
import { driftFeature } from '../status-page/drift-histogram.js';
import type { GpuPoolView } from '../status-page/gpu-pool.js';
import type { Html } from '../status-page/html.js';
import { CONTENT_SECURITY_POLICY, layout } from '../status-page/layout.js';
import { messagePage } from '../status-page/message-page.js';
import { overviewPage } from '../status-page/overview-page.js';
import { isSameOrigin } from '../status-page/same-origin.js';
import { sloDetail } from '../status-page/slo-detail.js';
import type { SloSummary } from '../status-page/slo-summary.js';
import type { ActionApprover } from './actions.js';

export interface StatusPageDeps {
  auth: Authenticator;
  now: () => number;
  /** Every SLO as GET /v1/slos shows it (sloView). */
  slos: () => SloSummary[];
  /** Recent alert evaluations of one SLO (the burn-rate history chart). */
  history: (slo: string) => Promise<AlertEventRecord[]>;
  /** The latest drift evaluation of every model. */
  drift: () => ModelDrift[];
  /** undefined when no GPU cluster is connected. */
  gpu: () => Promise<GpuPoolView | undefined>;
  /** The latest actions, newest first. */
  actions: (limit: number) => Promise<ActionEntry[]>;
  /** The policy engine; without it awaiting actions are shown but cannot be decided here. */
  approver?: ActionApprover | undefined;
}

const ACTIONS_SHOWN = 50;
const MAX_NAME = 64;

function page(c: Context, body: Html, status: ContentfulStatusCode = 200): Response {
  return c.html(body.value, status, {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
}

const refuse = (c: Context, status: ContentfulStatusCode, title: string, message: string) => page(c, messagePage(title, message), status);

/** Why a presented token may not decide, or undefined when it may (constant-time compare in the authenticator). */
function tokenProblem(auth: Authenticator, token: string): [ContentfulStatusCode, string] | undefined {
  if (!auth.enabled) return [403, 'Approvals through the status page need an admin token, and none is configured (auth.admin_tokens).'];
  if (token === '') return [401, 'Enter the admin token to decide an action.'];
  const scopes = auth.scopesOf(token);
  if (scopes.size === 0) return [401, 'The token is not recognised; nothing was changed.'];
  if (!scopes.has('admin')) return [403, 'This token does not grant the admin scope; nothing was changed.'];
  return undefined;
}

const field = (value: unknown): string => (typeof value === 'string' ? value : '');

async function decide(c: Context, deps: StatusPageDeps, verb: 'approve' | 'reject'): Promise<Response> {
  if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return refuse(c, 415, 'Not a form post', 'Decisions are posted by the form on the status page.');
  if (!isSameOrigin((name) => c.req.header(name))) return refuse(c, 403, 'Cross-site request refused', 'The request did not come from this status page, so nothing was changed.');
  const form = await c.req.parseBody();
  const problem = tokenProblem(deps.auth, field(form.token));
  if (problem) return refuse(c, problem[0], 'Not allowed', problem[1]);
  if (deps.approver === undefined) return refuse(c, 409, 'Cannot decide', 'The policy engine is not running here (no policies configured).');
  const id = c.req.param('id') as string;
  const by = field(form.by).trim().slice(0, MAX_NAME) || 'admin';
  try {
    await deps.approver[verb](id, `${by} (status page)`);
  } catch (error) {
    if (!isMlwardenError(error)) throw error;
    return refuse(c, STATUS_FOR[error.kind], `Could not ${verb}`, error.message);
  }
  return c.redirect(`/?decided=${encodeURIComponent(id)}#actions`, 303);
}

/** The human view: GET / and its detail pages, and the form posts that approve or reject actions. */
export function statusPageRoutes(deps: StatusPageDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => refuse(c, 413, 'Request too large', 'A decision form is at most 16 KiB.') });

  const viewer = requireViewer(deps.auth);
  app.get('/', viewer, async (c) => {
    const [gpu, actions] = await Promise.all([deps.gpu().catch(() => 'unavailable' as const), deps.actions(ACTIONS_SHOWN)]);
    const decidedId = c.req.query('decided');
    const decided = actions.find((a) => a.id === decidedId);
    return page(c, overviewPage({ now: deps.now(), slos: deps.slos(), drift: deps.drift(), gpu, actions, canDecide: deps.approver !== undefined, decided: decided && { id: decided.id, status: decided.status } }));
  });

  app.get('/slos/:name', viewer, async (c) => {
    const slo = deps.slos().find((s) => s.name === c.req.param('name'));
    if (!slo) return refuse(c, 404, 'Not found', 'There is no SLO with that name.');
    return page(c, layout(slo.name, sloDetail(slo, await deps.history(slo.name))));
  });

  app.get('/drift/:model/:feature', viewer, (c) => {
    const drift = deps.drift().find((d) => d.model === c.req.param('model'));
    const feature = drift?.features.find((f) => f.feature === c.req.param('feature'));
    if (!drift || !feature) return refuse(c, 404, 'Not found', 'There is no drift evaluation for that model and feature.');
    const window = Number(c.req.query('window'));
    return page(c, layout(`${drift.model} / ${feature.feature}`, driftFeature(drift, feature, Number.isFinite(window) ? window : undefined)));
  });

  for (const verb of ['approve', 'reject'] as const) app.post(`/actions/:id/${verb}`, limit, (c) => decide(c, deps, verb));
  return app;
}
