import { setTimeout as sleep } from 'node:timers/promises';
import type { TelemetryKind, TelemetrySink } from './telemetry-sink.js';

export interface HttpSinkOptions {
  /** The mlwarden server, e.g. http://mlwarden.mlwarden:8080 */
  server: string;
  /** An ingest token (sent as a bearer token; never logged). */
  token?: string | undefined;
  /** Attempts per batch on 429, 5xx and network errors (default 5). */
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

/** The ingest API refused a batch for good (4xx other than 429): retrying would not help. */
export class RejectedBatch extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RejectedBatch';
  }
}

const retryable = (status: number) => status === 429 || status >= 500;

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/**
 * Sends records to a server's ingest API (`POST /v1/telemetry/{kind}`), retrying throttling, server
 * errors and network failures with backoff (honouring Retry-After). Rejects with RejectedBatch on
 * a validation error (the problem+json detail names the field) and after the last attempt.
 */
export function httpSink(options: HttpSinkOptions): TelemetrySink {
  const base = options.server.replace(/\/+$/, '');
  const attempts = options.attempts ?? 5;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  return async (kind: TelemetryKind, records) => {
    if (records.length === 0) return;
    const body = JSON.stringify(records);
    for (let attempt = 1; ; attempt++) {
      let wait: number | undefined;
      try {
        const response = await fetch(`${base}/v1/telemetry/${kind}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
        if (response.ok) return;
        const detail = (await response.text()).slice(0, 500);
        if (!retryable(response.status)) throw new RejectedBatch(response.status, `the ingest API refused ${records.length} ${kind} record(s): HTTP ${response.status} ${detail}`);
        if (attempt >= attempts) throw new Error(`the ingest API answered HTTP ${response.status} ${attempts} times for ${kind}: ${detail}`);
        wait = retryAfterMs(response);
      } catch (error) {
        if (error instanceof RejectedBatch || attempt >= attempts) throw error;
      }
      const backoff = (options.baseDelayMs ?? 500) * 2 ** (attempt - 1);
      await sleep(wait ?? backoff / 2 + Math.random() * (backoff / 2));
    }
  };
}
