import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MlwardenError } from '../../domain/errors.js';
import {
  decodeOtlp,
  decompressed,
  encodeOtlp,
  otlpEncoding,
  OTLP_CONTENT_TYPE,
  OTLP_TYPES,
  OtlpReceiver,
  type ExportOutcome,
  type OtlpMetricsRequest,
  type OtlpTraceRequest,
  type TelemetryIngest,
} from '../../ingest/index.js';
import { requireScope, type Authenticator } from '../auth.js';
import { problemResponse } from '../problem.js';

export interface OtlpRoutesDeps {
  ingest: TelemetryIngest;
  auth: Authenticator;
  bodyLimitBytes: number;
  now: () => number;
}

const SIGNALS = {
  metrics: { request: OTLP_TYPES.metricsRequest, response: OTLP_TYPES.metricsResponse, rejectedField: 'rejectedDataPoints' },
  traces: { request: OTLP_TYPES.traceRequest, response: OTLP_TYPES.traceResponse, rejectedField: 'rejectedSpans' },
} as const;
type Signal = keyof typeof SIGNALS;

/**
 * OTLP/HTTP receiver (POST /otlp/v1/metrics, /otlp/v1/traces): protobuf or JSON, optionally gzip.
 * Errors answer as problem+json with the statuses OTLP exporters act on (429/503 + Retry-After are retried).
 */
export function otlpRoutes(deps: OtlpRoutesDeps): Hono {
  const app = new Hono();
  const receiver = new OtlpReceiver({ ingest: deps.ingest, now: deps.now });
  const exporters: Record<Signal, (request: unknown) => Promise<ExportOutcome>> = {
    metrics: (request) => receiver.exportMetrics(request as OtlpMetricsRequest),
    traces: (request) => receiver.exportTraces(request as OtlpTraceRequest),
  };

  for (const signal of Object.keys(SIGNALS) as Signal[]) {
    app.post(
      `/otlp/v1/${signal}`,
      async (c, next) => {
        await next();
        deps.ingest.countResponse('requests', c.res.status);
      },
      requireScope(deps.auth, 'ingest'),
      async (c, next) => {
        otlpEncoding(c.req.header('content-type'));
        await next();
      },
      bodyLimit({
        maxSize: deps.bodyLimitBytes,
        onError: (c) => problemResponse(c, new MlwardenError('too-large', `request body exceeds ${deps.bodyLimitBytes} bytes; export smaller batches`)),
      }),
      (c) => handleExport(c, deps, signal, exporters[signal]),
    );
  }
  return app;
}

async function handleExport(c: Context, deps: OtlpRoutesDeps, signal: Signal, exportRequest: (request: unknown) => Promise<ExportOutcome>): Promise<Response> {
  const encoding = otlpEncoding(c.req.header('content-type'));
  const release = await admitted(c, deps, signal);
  try {
    const body = await decompressed(new Uint8Array(await c.req.arrayBuffer()), c.req.header('content-encoding'), deps.bodyLimitBytes);
    const { request, response, rejectedField } = SIGNALS[signal];
    const outcome = await exportRequest(decodeOtlp(request, body, encoding));
    const partialSuccess = outcome.rejected > 0 ? { partialSuccess: { [rejectedField]: outcome.rejected, errorMessage: outcome.message } } : {};
    return c.body(encodeOtlp(response, partialSuccess, encoding) as Uint8Array<ArrayBuffer> | string, 200, { 'content-type': OTLP_CONTENT_TYPE[encoding] });
  } finally {
    release();
  }
}

/**
 * Reads a refused request's body to the end without keeping it, so the client sees the 429 rather than
 * a reset connection. (The same as telemetry.ts's; a shared home for both is a follow-up.)
 */
async function discardBody(request: Request): Promise<void> {
  if (!request.body) return;
  try {
    for await (const chunk of request.body) void chunk;
  } catch {
    // The client went away; there is no one left to answer.
  }
}

/** Admission before the body is read, like /v1/telemetry: traces also write features, so both queues must have room. */
async function admitted(c: Context, deps: OtlpRoutesDeps, signal: Signal): Promise<() => void> {
  const declared = Number(c.req.header('content-length') ?? deps.bodyLimitBytes);
  const releases: Array<() => void> = [];
  try {
    releases.push(deps.ingest.admit('requests', Number.isFinite(declared) && declared >= 0 ? declared : deps.bodyLimitBytes));
    if (signal === 'traces') releases.push(deps.ingest.admit('features', 0));
  } catch (error) {
    for (const release of releases) release();
    await discardBody(c.req.raw);
    throw error;
  }
  return () => releases.forEach((release) => release());
}
