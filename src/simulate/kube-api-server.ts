import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { AddressInfo } from 'node:net';
import { accessRecordOf, AccessLog } from './access-log.js';
import { apiGroupList, apiResourceList, coreApiVersions } from './discovery.js';
import { faultError, FaultInjector } from './fault-injection.js';
import type { JsonValue } from './json.js';
import { KubeApiError, kubeErrors } from './kube-status.js';
import { emulatorKubeConfig, emulatorKubeConfigYaml, type EmulatorKubeConfig } from './kubeconfig.js';
import { ObjectStore, type ObjectStoreOptions } from './object-store.js';
import { parseResourcePath } from './request-path.js';
import {
  handleCreate,
  handleDelete,
  handleGet,
  handlePatch,
  handleUpdate,
  watchRequestOf,
  type HandlerResult,
  type ResourceRequest,
} from './resource-handlers.js';
import { watchStream, type OpenWatch } from './watch-stream.js';

type Handler = (store: ObjectStore, request: ResourceRequest) => HandlerResult;

const HANDLERS: Readonly<Record<string, Handler>> = {
  GET: handleGet,
  POST: handleCreate,
  PUT: handleUpdate,
  PATCH: handlePatch,
  DELETE: handleDelete,
};

const json = (body: object, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function readBody(c: Context): Promise<JsonValue | undefined> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw kubeErrors.badRequest('the request body is not valid JSON');
  }
}

function discovery(pathname: string): object | undefined {
  const segments = pathname.split('/').filter((s) => s !== '');
  if (pathname === '/api') return coreApiVersions();
  if (pathname === '/apis') return apiGroupList();
  if (pathname === '/version') return { major: '1', minor: '33', gitVersion: 'v1.33.0-mlwarden-emulator', platform: 'linux/amd64' };
  if (segments[0] === 'api' && segments.length === 2) return apiResourceList('', segments[1] as string);
  if (segments[0] === 'apis' && segments.length === 3) return apiResourceList(segments[1] as string, segments[2] as string);
  return undefined;
}

const isWatch = (query: URLSearchParams) => query.get('watch') === 'true' || query.get('watch') === '1';

/** The emulator's HTTP API over a store; open watches are tracked so shutdown can end them. */
export function createKubeApiApp(store: ObjectStore, openWatches: Set<OpenWatch>, faults = new FaultInjector(), accessLog = new AccessLog()): Hono {
  const app = new Hono();
  app.onError((error) => {
    if (error instanceof KubeApiError) return json(error.toStatus(), error.code);
    return json(new KubeApiError(500, 'InternalError', `Internal error occurred: ${error.message}`).toStatus(), 500);
  });
  // Outermost, so injected faults are recorded too: the client still needed the verb.
  app.use('*', async (c, next) => {
    await next();
    const url = new URL(c.req.url);
    const path = parseResourcePath(url.pathname);
    if (path !== undefined) accessLog.record(accessRecordOf(c.req.method, path, url.searchParams, c.res.status));
  });
  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const fault = faults.take(c.req.method, url.pathname);
    if (fault === undefined) return next();
    if (fault.delayMs !== undefined) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.status === undefined) return next();
    if (fault.afterWrite && !isWatch(url.searchParams)) {
      await next();
      c.res = json(faultError(fault.status).toStatus(), fault.status);
      return;
    }
    throw faultError(fault.status);
  });
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const path = parseResourcePath(url.pathname);
    if (path === undefined) {
      const found = c.req.method === 'GET' ? discovery(url.pathname) : undefined;
      if (found === undefined) throw kubeErrors.pathNotFound(url.pathname);
      return json(found, 200);
    }
    const query = url.searchParams;
    if (c.req.method === 'GET' && path.name === undefined && isWatch(query)) {
      const timeout = Number(query.get('timeoutSeconds') ?? Number.NaN);
      const body = watchStream(store, watchRequestOf(path, query), Number.isFinite(timeout) && timeout > 0 ? timeout : undefined, openWatches);
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    const handler = HANDLERS[c.req.method];
    if (handler === undefined) throw kubeErrors.methodNotAllowed(c.req.method);
    const request = { path, query, contentType: c.req.header('content-type') ?? 'application/json', body: await readBody(c) };
    const result = handler(store, request);
    return json(result.body, result.status);
  });
  return app;
}

export interface KubeApiEmulatorOptions extends ObjectStoreOptions {
  /** Loopback port; 0 or unset picks a free one. */
  port?: number;
}

export interface KubeApiEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The store behind the API, for seeding and inspecting state without HTTP. */
  store: ObjectStore;
  /** Failures to inject into the next matching requests (500s, 429s, timeouts, lost responses). */
  faults: FaultInjector;
  /** Every resource request served (discovery excluded), for deriving least-privilege RBAC. */
  accessLog: AccessLog;
  /** Options for `new KubeConfig().loadFromOptions(…)` pointing at the emulator. */
  kubeConfig(namespace?: string): EmulatorKubeConfig;
  /** The same as kubeconfig YAML. */
  kubeConfigYaml(namespace?: string): string;
  /** How many watch streams are open now (lets tests wait for a watch to connect). */
  openWatchCount(): number;
  /** Ends open watches (clients see the stream close) and stops listening. */
  close(): Promise<void>;
}

/** Serves a fresh Kubernetes API emulator on 127.0.0.1 and resolves once it listens. */
export function startKubeApiEmulator(options: KubeApiEmulatorOptions = {}): Promise<KubeApiEmulator> {
  const store = new ObjectStore(options);
  const openWatches = new Set<OpenWatch>();
  const faults = new FaultInjector();
  const accessLog = new AccessLog();
  const app = createKubeApiApp(store, openWatches, faults, accessLog);
  let closing: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, (info: AddressInfo) => {
      const url = `http://127.0.0.1:${info.port}`;
      resolve({
        url,
        port: info.port,
        store,
        faults,
        accessLog,
        kubeConfig: (namespace) => emulatorKubeConfig(url, namespace),
        kubeConfigYaml: (namespace) => emulatorKubeConfigYaml(url, namespace),
        openWatchCount: () => openWatches.size,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            for (const watch of [...openWatches]) watch.end();
            server.close(() => done());
            const http = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
            http.closeIdleConnections?.();
            setTimeout(() => http.closeAllConnections?.(), 100).unref();
          })),
      });
    });
    server.once('error', reject);
  });
}
