import { Hono } from 'hono';
import type { Registry } from 'prom-client';

export function metricsRoutes(registry: Registry): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  return app;
}
