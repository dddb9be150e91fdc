import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { MlwardenError } from '../../domain/errors.js';
import { isTelemetryKind, TELEMETRY_KINDS, type TelemetryKind } from '../../domain/telemetry/index.js';
import { bodyFormat, unknownKind, type TelemetryIngest } from '../../ingest/index.js';
import type { SummaryQuery, SummaryRow } from '../../store/index.js';
import { requireScope, type Authenticator } from '../auth.js';
import { problemResponse } from '../problem.js';
import { parseQuery } from '../query-params.js';

export interface TelemetryRoutesDeps {
  ingest: TelemetryIngest;
  auth: Authenticator;
  bodyLimitBytes: number;
  summary: (q: SummaryQuery) => Promise<SummaryRow[]>;
  now: () => number;
}

const instant = z.union([z.coerce.number().int(), z.iso.datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const DAY_MS = 24 * 60 * 60 * 1000;

const summaryQuery = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  model: z.string().min(1).max(256).optional(),
  kind: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(TELEMETRY_KINDS)))
    .optional(),
});

/**
 * Reads a refused request's body to the end without keeping it: answering before the client has sent
 * its body makes HTTP clients see a reset connection instead of the 429.
 */
async function discardBody(request: Request): Promise<void> {
  if (!request.body) return;
  try {
    for await (const chunk of request.body) void chunk;
  } catch {
    // The client went away; there is no one left to answer.
  }
}

export function telemetryRoutes(deps: TelemetryRoutesDeps): Hono {
  const app = new Hono();

  app.post(
    '/v1/telemetry/:kind',
    async (c, next) => {
      await next();
      deps.ingest.countResponse(c.req.param('kind'), c.res.status);
    },
    requireScope(deps.auth, 'ingest'),
    async (c, next) => {
      if (!isTelemetryKind(c.req.param('kind'))) throw unknownKind(c.req.param('kind'));
      bodyFormat(c.req.header('content-type'));
      await next();
    },
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) => problemResponse(c, new MlwardenError('too-large', `request body exceeds ${deps.bodyLimitBytes} bytes; split it into smaller batches`)),
    }),
    async (c) => {
      const kind = c.req.param('kind') as TelemetryKind;
      const declared = Number(c.req.header('content-length') ?? deps.bodyLimitBytes);
      let release: () => void;
      try {
        release = deps.ingest.admit(kind, Number.isFinite(declared) && declared >= 0 ? declared : deps.bodyLimitBytes);
      } catch (error) {
        await discardBody(c.req.raw);
        throw error;
      }
      try {
        const result = await deps.ingest.accept(kind, await c.req.text(), c.req.header('content-type'));
        return c.json(result, 200);
      } finally {
        release();
      }
    },
  );

  app.get('/v1/telemetry/summary', requireScope(deps.auth, 'read'), async (c) => {
    const q = parseQuery(summaryQuery, c.req.query());
    const to = q.to ?? deps.now();
    const from = q.from ?? to - DAY_MS;
    if (from >= to) throw new MlwardenError('invalid', 'from must be before to', { problems: [{ field: 'from', reason: 'is not before to' }] });
    const rows = await deps.summary({ from, to, kinds: q.kind ?? TELEMETRY_KINDS, model: q.model });
    return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), telemetry: rows });
  });

  return app;
}
