import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { MlwardenError } from '../../domain/errors.js';
import type { ActionEntry, ActionLog } from '../../store/index.js';
import { requireScope, type Authenticator } from '../auth.js';
import { parseJsonBody } from '../json-body.js';
import { problemResponse } from '../problem.js';
import { parseQuery } from '../query-params.js';

/** Approves or rejects an action awaiting approval (the policy engine; absent when no policies run). */
export interface ActionApprover {
  approve(id: string, actor: string): Promise<ActionEntry>;
  reject(id: string, actor: string): Promise<ActionEntry>;
}

export interface ActionRoutesDeps {
  auth: Authenticator;
  actions: ActionLog;
  approver: ActionApprover | undefined;
}

const STATUSES = ['proposed', 'dry-run', 'awaiting-approval', 'denied', 'rejected', 'running', 'done', 'failed'] as const;

const listQuery = z.strictObject({
  status: z.string().optional().transform((s, ctx) => {
    const list = s === undefined || s === '' ? undefined : s.split(',');
    const unknown = list?.filter((x) => !(STATUSES as readonly string[]).includes(x)) ?? [];
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ')}; one or more of ${STATUSES.join(', ')}` });
    return list;
  }),
  policy: z.string().min(1).max(63).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});

const decisionBody = z.strictObject({ by: z.string().min(1).max(256).default('admin'), comment: z.string().max(1024).default('') }).prefault({});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API view of an action (GET /v1/actions). */
export const actionView = (a: ActionEntry) => ({
  id: a.id, policy: a.policy, kind: a.kind, target: a.target, status: a.status, reason: a.reason, cause: a.cause,
  denied_by: a.denied_by === '' ? null : a.denied_by, outcome: a.outcome === '' ? null : a.outcome, victims: a.victims, actor: a.actor === '' ? null : a.actor,
  created_at: iso(a.created_at), updated_at: iso(a.updated_at), finished_at: iso(a.finished_at),
});

/** The audit trail of policy actions, and the admin's approve / reject. */
export function actionRoutes(deps: ActionRoutesDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => problemResponse(c, new MlwardenError('too-large', 'an approval body is at most 16 KiB')) });

  app.get('/v1/actions', requireScope(deps.auth, 'read'), async (c) => {
    const q = parseQuery(listQuery, c.req.query());
    const list = await deps.actions.list({ ...(q.status ? { statuses: q.status } : {}), ...(q.policy ? { policy: q.policy } : {}), limit: q.limit });
    return c.json(list.map(actionView));
  });

  app.get('/v1/actions/:id', requireScope(deps.auth, 'read'), async (c) => {
    const action = await deps.actions.get(c.req.param('id'));
    if (action === undefined) throw new MlwardenError('not-found', `no action ${c.req.param('id')}`);
    return c.json(actionView(action));
  });

  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/v1/actions/:id/${verb}`, requireScope(deps.auth, 'admin'), limit, async (c) => {
      const body = await parseJsonBody(c, decisionBody, { allowEmpty: true });
      if (deps.approver === undefined) throw new MlwardenError('conflict', 'the policy engine is not running (no policies configured)');
      const actor = body.comment === '' ? body.by : `${body.by} (${body.comment})`;
      return c.json(actionView(await deps.approver[verb](c.req.param('id'), actor)));
    });
  }
  return app;
}
