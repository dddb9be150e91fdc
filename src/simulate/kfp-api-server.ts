import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './fault-injection.js';
import { KfpApiError, kfpErrors } from './kfp-error.js';
import type { KfpRun, KfpRunState } from './kfp-run.js';
import { KfpRunStore, type CreateRunRequest } from './kfp-run-store.js';

export type { KfpRun, KfpRunState } from './kfp-run.js';

export interface KfpEmulatorOptions {
  /** Loopback port; 0 or unset picks a free one. */
  port?: number;
  /** Clock in ms for created_at and state changes (default Date.now). */
  now?: () => number;
  /** When set, requests need `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

export interface KfpEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  addPipelineVersion(pipelineId: string, versionId: string, displayName?: string): void;
  runs(): KfpRun[];
  /** Moves a run on (runs only change state through this, as tests drive them). */
  setRunState(runId: string, state: KfpRunState, error?: string): void;
  faults: FaultInjector;
  /** Every request received, in order. */
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

const RUNS = '/apis/v2beta1/runs';

const json = (body: object, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function readBody(c: Context): Promise<CreateRunRequest> {
  try {
    const body: unknown = JSON.parse(await c.req.text());
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as CreateRunRequest;
  } catch {
    // reported below
  }
  throw kfpErrors.invalid('the request body is not a JSON object');
}

/** The KFP v2beta1 run API over a run store, with bearer auth and injected faults in front. */
export function createKfpApiApp(runs: KfpRunStore, faults: FaultInjector, requests: KfpEmulator['requests'], token?: string): Hono {
  const app = new Hono();
  app.onError((error) => {
    const known = error instanceof KfpApiError ? error : new KfpApiError(500, `Internal error: ${error.message}`);
    return json(known.toBody(), known.httpStatus);
  });
  app.use('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    requests.push({ method: c.req.method, path });
    if (token !== undefined && c.req.header('authorization') !== `Bearer ${token}`) throw kfpErrors.unauthenticated();
    const fault = faults.take(c.req.method, path);
    if (fault === undefined) return next();
    if (fault.delayMs !== undefined) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.status === undefined) return next();
    if (!fault.afterWrite) throw kfpErrors.injected(fault.status);
    await next();
    c.res = json(kfpErrors.injected(fault.status).toBody(), fault.status);
  });
  app.post(RUNS, async (c) => json(runs.create(await readBody(c))));
  app.get(RUNS, (c) =>
    json(
      runs.list({
        experimentId: c.req.query('experiment_id'),
        pageSize: c.req.query('page_size'),
        pageToken: c.req.query('page_token'),
        sortBy: c.req.query('sort_by'),
        filter: c.req.query('filter'),
      }),
    ),
  );
  app.get(`${RUNS}/:runId`, (c) => json(runs.get(c.req.param('runId'))));
  app.get('/apis/v2beta1/pipelines/:pipelineId/versions/:versionId', (c) => json(runs.pipelineVersion(c.req.param('pipelineId'), c.req.param('versionId'))));
  app.all('*', (c) => json(new KfpApiError(404, `Not Found: ${c.req.method} ${new URL(c.req.url).pathname}`).toBody(), 404));
  return app;
}

/** Serves a fresh KFP v2beta1 API emulator on 127.0.0.1 and resolves once it listens. */
export function startKfpEmulator(options: KfpEmulatorOptions = {}): Promise<KfpEmulator> {
  const runs = new KfpRunStore(options.now ?? Date.now);
  const faults = new FaultInjector();
  const requests: KfpEmulator['requests'] = [];
  const app = createKfpApiApp(runs, faults, requests, options.token);
  let closing: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        addPipelineVersion: (pipelineId, versionId, displayName) => runs.addPipelineVersion(pipelineId, versionId, displayName),
        runs: () => runs.all(),
        setRunState: (runId, state, error) => runs.setState(runId, state, error),
        faults,
        requests,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          })),
      });
    });
    server.once('error', reject);
  });
}
