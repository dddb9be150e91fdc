import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { MlwardenError } from '../../domain/errors.js';
import type { SilenceRecord, SilenceStore } from '../../store/index.js';
import { requireScope, type Authenticator } from '../auth.js';
import { parseJsonBody } from '../json-body.js';
import { problemResponse } from '../problem.js';
import { parseQuery } from '../query-params.js';

export interface SilenceRoutesDeps {
  auth: Authenticator;
  silences: SilenceStore;
  now: () => number;
}

const instant = z.union([z.number().int(), z.iso.datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const createSilence = z
  .strictObject({
    matchers: z.record(z.string().min(1).max(256), z.string().max(1024)).refine((m) => Object.keys(m).length > 0, 'needs at least one label matcher (e.g. {"slo": "fraud-availability"})'),
    starts_at: instant.optional(),
    ends_at: instant,
    comment: z.string().max(4096).default(''),
    created_by: z.string().max(256).default(''),
  })
  .refine((s) => s.starts_at === undefined || s.ends_at > s.starts_at, { message: 'must be after starts_at', path: ['ends_at'] });

const listQuery = z.strictObject({ active: z.enum(['true', 'false']).optional() });

export const silenceView = (s: SilenceRecord) => ({
  ...s,
  starts_at: new Date(s.starts_at).toISOString(),
  ends_at: new Date(s.ends_at).toISOString(),
  created_at: new Date(s.created_at).toISOString(),
  updated_at: new Date(s.updated_at).toISOString(),
});

/** Silences / maintenance windows: alerts whose labels match are evaluated but not delivered. */
export function silenceRoutes(deps: SilenceRoutesDeps): Hono {
  const app = new Hono();

  app.get('/v1/silences', requireScope(deps.auth, 'read'), async (c) => {
    const q = parseQuery(listQuery, c.req.query());
    const list = await deps.silences.list(q.active === 'true' ? { activeAt: deps.now() } : {});
    return c.json(list.map(silenceView));
  });

  app.post('/v1/silences', requireScope(deps.auth, 'admin'), bodyLimit({ maxSize: 64 * 1024, onError: (c) => problemResponse(c, new MlwardenError('too-large', 'a silence body is at most 64 KiB')) }), async (c) => {
    const body = await parseJsonBody(c, createSilence);
    const now = deps.now();
    if (body.ends_at <= now) throw new MlwardenError('invalid', 'the silence would already be over', { problems: [{ field: 'ends_at', reason: 'is not in the future' }] });
    const silence: SilenceRecord = {
      id: randomUUID(),
      matchers: body.matchers,
      starts_at: body.starts_at ?? now,
      ends_at: body.ends_at,
      comment: body.comment,
      created_by: body.created_by,
      created_at: now,
      updated_at: now,
    };
    await deps.silences.save(silence);
    return c.json(silenceView(silence), 201);
  });

  app.put('/v1/silences/:id', requireScope(deps.auth, 'admin'), bodyLimit({ maxSize: 64 * 1024, onError: (c) => problemResponse(c, new MlwardenError('too-large', 'a silence body is at most 64 KiB')) }), async (c) => {
    const [existing] = await deps.silences.list({ id: c.req.param('id') });
    if (!existing) throw new MlwardenError('not-found', `no silence with id ${c.req.param('id').slice(0, 64)}`);
    const body = await parseJsonBody(c, createSilence);
    const now = deps.now();
    if (body.ends_at <= now) throw new MlwardenError('invalid', 'the silence would already be over', { problems: [{ field: 'ends_at', reason: 'is not in the future' }] });
    const updated: SilenceRecord = {
      ...existing,
      matchers: body.matchers,
      starts_at: body.starts_at ?? existing.starts_at,
      ends_at: body.ends_at,
      comment: body.comment,
      created_by: body.created_by || existing.created_by,
      updated_at: Math.max(now, existing.updated_at + 1),
    };
    await deps.silences.save(updated);
    return c.json(silenceView(updated));
  });

  app.delete('/v1/silences/:id', requireScope(deps.auth, 'admin'), async (c) => {
    const found = await deps.silences.delete(c.req.param('id'), deps.now());
    if (!found) throw new MlwardenError('not-found', `no silence with id ${c.req.param('id').slice(0, 64)}`);
    return c.body(null, 204);
  });

  return app;
}
