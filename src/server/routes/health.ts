import { Hono } from 'hono';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** Liveness answers while the process serves; readiness also needs the store reachable and migrated. */
export function healthRoutes(readiness: () => Promise<Readiness>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const result = await readiness();
    return c.json({ status: result.ready ? 'ready' : 'not ready', checks: result.checks }, result.ready ? 200 : 503);
  });
  return app;
}
