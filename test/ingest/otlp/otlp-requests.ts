import type { Hono } from 'hono';

/** Fixture builders for OTLP/JSON export requests (lowerCamelCase, int64 as strings, as the spec writes them). */
export const nanos = (ms: number): string => String(BigInt(ms) * 1_000_000n);

const attribute = (key: string, value: string | number) =>
  ({ key, value: typeof value === 'number' ? (Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value }) : { stringValue: value } });

export interface HistogramPointSpec {
  start: number;
  time: number;
  /** Per-bucket counts; the point's count is their sum. */
  buckets: number[];
  boundsMs?: number[];
  sumMs?: number;
  status?: number;
}

export const CUMULATIVE = 2;
export const DELTA = 1;

/** One resource, one scope, one http.server.request.duration histogram in ms. */
export function histogramExport(model: string, temporality: number, points: HistogramPointSpec[], options: { name?: string; unit?: string } = {}) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attribute('service.name', 'api'), attribute('mlwarden.model', model)] },
        scopeMetrics: [
          {
            scope: { name: 'test' },
            metrics: [
              {
                name: options.name ?? 'http.server.request.duration',
                unit: options.unit ?? 'ms',
                histogram: {
                  aggregationTemporality: temporality,
                  dataPoints: points.map((p) => ({
                    attributes: [attribute('http.route', '/predict'), attribute('http.response.status_code', p.status ?? 200)],
                    startTimeUnixNano: nanos(p.start),
                    timeUnixNano: nanos(p.time),
                    count: String(p.buckets.reduce((a, b) => a + b, 0)),
                    sum: p.sumMs ?? 0,
                    bucketCounts: p.buckets.map(String),
                    explicitBounds: p.boundsMs ?? [100, 250],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

export function postOtlp(app: Hono, signal: 'metrics' | 'traces', body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return Promise.resolve(app.request(`/otlp/v1/${signal}`, { method: 'POST', body: payload as RequestInit['body'], headers: { 'content-type': 'application/json', ...headers } }));
}
