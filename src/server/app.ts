import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { MlwardenError } from '../domain/errors.js';
import type { Authenticator } from './auth.js';
import { problemResponse } from './problem.js';
import { actionRoutes, type ActionRoutesDeps } from './routes/actions.js';
import { driftRoutes, type DriftRoutesDeps } from './routes/drift.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { otlpRoutes } from './routes/otlp.js';
import { silenceRoutes, type SilenceRoutesDeps } from './routes/silences.js';
import { sloRoutes, type SloRoutesDeps } from './routes/slos.js';
import { statusPageRoutes, type StatusPageDeps } from './routes/status-page.js';
import { telemetryRoutes, type TelemetryRoutesDeps } from './routes/telemetry.js';

export interface AppDeps extends TelemetryRoutesDeps {
  auth: Authenticator;
  slo: Omit<SloRoutesDeps, 'auth'>;
  silences: SilenceRoutesDeps['silences'];
  drift: Omit<DriftRoutesDeps, 'auth' | 'now'>;
  actions: Omit<ActionRoutesDeps, 'auth'>;
  registry: Registry;
  readiness: () => Promise<Readiness>;
  logger: Logger;
  /** The human status page at GET /; not mounted when absent. */
  statusPage?: Omit<StatusPageDeps, 'auth' | 'now'>;
}

/** The HTTP surface: every route, one error mapper. Tests drive it through app.request() with no socket. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(deps.readiness));
  app.route('/', metricsRoutes(deps.registry));
  app.route('/', telemetryRoutes(deps));
  app.route('/', otlpRoutes(deps));
  app.route('/', sloRoutes({ ...deps.slo, auth: deps.auth }));
  app.route('/', silenceRoutes({ auth: deps.auth, silences: deps.silences, now: deps.now }));
  app.route('/', driftRoutes({ ...deps.drift, auth: deps.auth, now: deps.now }));
  app.route('/', actionRoutes({ ...deps.actions, auth: deps.auth }));
  if (deps.statusPage) app.route('/', statusPageRoutes({ ...deps.statusPage, auth: deps.auth, now: deps.now }));
  app.notFound((c) => problemResponse(c, new MlwardenError('not-found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    const known = error instanceof MlwardenError;
    if (!known || error.kind === 'internal') deps.logger.error({ err: error, path: c.req.path }, 'request failed');
    return problemResponse(c, error);
  });
  return app;
}
