import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DeliveryError, WebhookNotifier, type AlertNotification, type WebhookNotifierOptions } from '../../src/alerting/index.js';

const SECRET = 'whsec-0123456789abcdef';

interface Received {
  at: number;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers the next request: a status (and headers), or 'hang' to never answer. */
type Reply = { status: number; headers?: Record<string, string> } | 'hang';

let server: Server;
let base: string;
let replies: Reply[] = [];
const received: Received[] = [];

function answer(res: ServerResponse, reply: Reply | undefined): void {
  if (reply === 'hang') return;
  const r = reply ?? { status: 200 };
  res.writeHead(r.status, r.headers).end(r.status >= 400 ? `{"error":"status ${r.status}"}` : '');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(res, replies.shift());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received.length = 0;
  replies = [];
});

const notification = (overrides: Partial<AlertNotification> = {}): AlertNotification => ({
  dedupeKey: 'fraud-availability|page|model=fraud',
  state: 'firing',
  labels: { alertname: 'SLOBurnRate', severity: 'page', slo: 'fraud-availability', model: 'fraud' },
  annotations: { summary: 'SLO fraud-availability is burning its error budget too fast' },
  startsAt: Date.UTC(2025, 0, 1, 12, 0, 0),
  generatorURL: 'http://mlwarden.example/v1/slos/fraud-availability',
  ...overrides,
});

const webhook = (options: Partial<WebhookNotifierOptions> = {}) =>
  new WebhookNotifier({ url: `${base}/hooks/alerts`, secret: SECRET, initialDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 2000, totalTimeoutMs: 5000, ...options });

/** The receiver's side, written from the documented scheme with node:crypto alone. */
function verifies(r: Received, secret: string): boolean {
  const timestamp = r.headers['x-mlwarden-timestamp'];
  const signature = r.headers['x-mlwarden-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`);
  return expected.length === Buffer.byteLength(signature) && timingSafeEqual(expected, Buffer.from(signature));
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('webhook body and signature', () => {
  test('the body is {version: "1", alerts: [...]} with ISO timestamps, and the signature verifies with the secret over `${timestamp}.${body}`', async () => {
    const resolvedOne = notification({ dedupeKey: 'k2', state: 'resolved', endsAt: Date.UTC(2025, 0, 1, 12, 30, 0) });
    await webhook().send([notification(), resolvedOne]);
    const [r] = received as [Received];
    expect(JSON.parse(r.body)).toEqual({
      version: '1',
      alerts: [
        { dedupeKey: 'fraud-availability|page|model=fraud', status: 'firing', labels: notification().labels, annotations: notification().annotations, startsAt: '2025-01-01T12:00:00.000Z', endsAt: null, generatorURL: notification().generatorURL },
        { dedupeKey: 'k2', status: 'resolved', labels: notification().labels, annotations: notification().annotations, startsAt: '2025-01-01T12:00:00.000Z', endsAt: '2025-01-01T12:30:00.000Z', generatorURL: notification().generatorURL },
      ],
    });
    expect(r.headers['content-type']).toBe('application/json');
    expect(Math.abs(Number(r.headers['x-mlwarden-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(verifies(r, SECRET)).toBe(true);
  });

  test.each([
    ['another secret', (r: Received) => verifies(r, 'not-the-secret-at-all')],
    ['a changed body', (r: Received) => verifies({ ...r, body: r.body.replace('fraud', 'frauD') }, SECRET)],
    ['a replayed signature under a new timestamp', (r: Received) => verifies({ ...r, headers: { ...r.headers, 'x-mlwarden-timestamp': String(Number(r.headers['x-mlwarden-timestamp']) + 600) } }, SECRET)],
  ])('the signature does not verify with %s', async (_name, check) => {
    await webhook().send([notification()]);
    expect(check(received[0] as Received)).toBe(false);
  });

  test('without a secret there are no signature headers', async () => {
    await webhook({ secret: undefined }).send([notification()]);
    expect(received[0]?.headers['x-mlwarden-signature']).toBeUndefined();
    expect(received[0]?.headers['x-mlwarden-timestamp']).toBeUndefined();
  });

  test('nothing to send sends nothing', async () => {
    await webhook().send([]);
    expect(received).toEqual([]);
  });

  test('the secret shows up nowhere: not in the notifier when logged or inspected, not in errors', async () => {
    const hook = webhook({ url: `${base}/hooks/alerts?token=abc123`, maxAttempts: 1 });
    replies = [{ status: 500 }];
    const error = await failure(hook.send([notification()]));
    const shown = [JSON.stringify(hook), inspect(hook, { depth: 5, showHidden: true }), hook.name, error.message, String(error.stack), inspect(error, { depth: 5 })].join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('abc123');
    expect(error.message).toContain(`${base}/hooks/alerts?…`);
  });
});

describe('webhook retries', () => {
  test('retries after 503s, then succeeds; every attempt is re-signed over the same body', async () => {
    replies = [{ status: 503 }, { status: 503 }, { status: 200 }];
    await webhook().send([notification()]);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(received.every((r) => verifies(r, SECRET))).toBe(true);
  });

  test.each([
    ['408 Request Timeout', 408],
    ['429 Too Many Requests', 429],
    ['500 Internal Server Error', 500],
    ['502 Bad Gateway', 502],
  ])('%s is retried', async (_name, status) => {
    replies = [{ status }];
    await webhook().send([notification()]);
    expect(received.length).toBe(2);
  });

  test.each([
    ['400 Bad Request', 400],
    ['401 Unauthorized', 401],
    ['404 Not Found', 404],
    ['413 Content Too Large', 413],
  ])('%s gives up at once with a non-retryable error naming the URL and status', async (_name, status) => {
    replies = [{ status }, { status: 200 }];
    const error = await failure(webhook().send([notification()]));
    expect(received).toHaveLength(1);
    expect(error).toMatchObject({ code: 'rejected', retryable: false, status, attempts: 1 });
    expect(error.message).toContain(`${base}/hooks/alerts`);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  test('Retry-After in seconds is honoured instead of the (much shorter) backoff', async () => {
    replies = [{ status: 503, headers: { 'retry-after': '1' } }, { status: 200 }];
    await webhook({ initialDelayMs: 10 }).send([notification()]);
    expect(received).toHaveLength(2);
    const [first, second] = received as [Received, Received];
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  test('a Retry-After longer than what is left of the budget gives up at once, saying so', async () => {
    replies = [{ status: 429, headers: { 'retry-after': '30' } }];
    const started = Date.now();
    const error = await failure(webhook({ totalTimeoutMs: 2000 }).send([notification()]));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(received).toHaveLength(1);
    expect(error).toMatchObject({ code: 'throttled', retryable: true, status: 429 });
    expect(error.message).toMatch(/would pass the 2000 ms budget/);
  });

  test('attempts are bounded: a receiver that always fails gets exactly maxAttempts requests and a retryable error', async () => {
    replies = Array.from({ length: 10 }, () => ({ status: 503 }));
    const error = await failure(webhook({ maxAttempts: 3 }).send([notification()]));
    expect(received).toHaveLength(3);
    expect(error).toMatchObject({ code: 'server-error', retryable: true, status: 503, attempts: 3 });
    expect(error.message).toMatch(/gave up after 3 attempts/);
  });

  test('backoff grows exponentially with equal jitter, capped at maxDelayMs', async () => {
    replies = Array.from({ length: 10 }, () => ({ status: 503 }));
    const delays: number[] = [];
    const hook = webhook({ maxAttempts: 6, initialDelayMs: 10, maxDelayMs: 60, random: () => 0, onRetry: (e) => delays.push(e.delayMs) });
    await failure(hook.send([notification()]));
    expect(delays).toEqual([5, 10, 20, 30, 30]);
  });

  test('a receiver that never answers cannot block a send past the total budget', async () => {
    replies = Array.from({ length: 10 }, () => 'hang' as const);
    const started = Date.now();
    const error = await failure(webhook({ totalTimeoutMs: 700, requestTimeoutMs: 5000 }).send([notification()]));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(650);
    expect(elapsed).toBeLessThan(1200);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
  });

  test('slow answers are cut at the request timeout and retried within the budget', async () => {
    replies = ['hang', { status: 200 }];
    await webhook({ requestTimeoutMs: 300, totalTimeoutMs: 3000 }).send([notification()]);
    expect(received).toHaveLength(2);
  });

  test('an unreachable receiver gives a retryable network error naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hook`;
    await new Promise((r) => closed.close(r));
    const error = await failure(webhook({ url, maxAttempts: 2 }).send([notification()]));
    expect(error).toMatchObject({ code: 'network', retryable: true, url, attempts: 2 });
    expect(error.message).toContain(url);
  });
});

describe('webhook configuration', () => {
  test.each([
    ['an empty secret', { secret: '' }, /signing secret .* is empty/],
    ['zero attempts', { maxAttempts: 0 }, /maxAttempts must be a number ≥ 1/],
    ['a negative budget', { totalTimeoutMs: -1 }, /totalTimeoutMs/],
    ['a URL that is not one', { url: 'not a url' }, /webhook URL is not a valid URL/],
  ])('%s is refused at construction', (_name, options, message) => {
    expect(() => webhook(options)).toThrow(message);
  });
});
