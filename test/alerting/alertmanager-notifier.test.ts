import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { AlertmanagerNotifier, DeliveryError, type AlertNotification } from '../../src/alerting/index.js';
import { alertmanagerSkipReason, startAlertmanager, type GettableAlert, type RunningAlertmanager } from '../support/alertmanager.js';

const skipReason = alertmanagerSkipReason();
let counter = 0;

/** A notification for a fresh alert name, so tests sharing one Alertmanager never see each other's alerts. */
function firing(overrides: Partial<AlertNotification> = {}): AlertNotification {
  counter += 1;
  const alertname = `MlwardenTest${counter}`;
  return {
    dedupeKey: `fraud-availability|page|model=fraud`,
    state: 'firing',
    labels: { alertname, severity: 'page', slo: 'fraud-availability', model: 'fraud' },
    annotations: { summary: 'SLO fraud-availability is burning its error budget too fast', runbook_url: 'https://runbooks.example/slo' },
    startsAt: Date.now() - 60_000,
    generatorURL: 'http://mlwarden.example/v1/slos/fraud-availability',
    ...overrides,
  };
}

const resolved = (n: AlertNotification, at: number): AlertNotification => ({ ...n, state: 'resolved', endsAt: at });
const named = (n: AlertNotification) => [`alertname="${n.labels.alertname}"`];

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('Alertmanager notifier against a real Alertmanager (API v2)', () => {
  let am: RunningAlertmanager;

  beforeAll(async () => {
    if (!skipReason) am = await startAlertmanager();
  });
  afterAll(async () => am?.stop());
  beforeEach((ctx) => ctx.skip(skipReason !== undefined, skipReason));

  const notifier = (resendIntervalMs = 60_000) => new AlertmanagerNotifier({ urls: [am.url], resendIntervalMs });

  test('a firing notification appears with its labels, annotations, startsAt, generatorURL and endsAt = now + 5 × the resend interval', async () => {
    const n = firing();
    const now = Date.now();
    await notifier(60_000).send([n], now);
    const [alert, ...others] = await am.alerts({ filter: named(n) });
    expect(others).toEqual([]);
    expect(alert?.labels).toEqual(n.labels);
    expect(alert?.annotations).toEqual(n.annotations);
    expect(Date.parse(alert?.startsAt ?? '')).toBe(n.startsAt);
    expect(Date.parse(alert?.endsAt ?? '')).toBe(now + 300_000);
    expect(alert?.generatorURL).toBe(n.generatorURL);
    expect(alert?.status.state).toBe('active');
  });

  test('a resolved notification makes the alert disappear from GET /api/v2/alerts, whatever the filters', async () => {
    const n = firing();
    const sender = notifier();
    await sender.send([n], Date.now());
    expect(await am.alerts({ filter: named(n) })).toHaveLength(1);
    await sender.send([resolved(n, Date.now())], Date.now());
    // Alertmanager 0.25 keeps a resolved alert internally until GC but never lists it: v2 has no "resolved" state.
    expect(await am.alerts({ filter: named(n) })).toEqual([]);
    expect(await am.alerts({ filter: named(n), active: true, silenced: true, inhibited: true, unprocessed: true })).toEqual([]);
  });

  test('re-sending a firing alert keeps one alert (Alertmanager dedupes by labels), with the newest annotations and the first startsAt', async () => {
    const n = firing();
    const sender = notifier();
    await sender.send([n], Date.now());
    const first = (await am.alerts({ filter: named(n) }))[0] as GettableAlert;
    await sender.send([{ ...n, annotations: { ...n.annotations, description: 'now at 20×' } }], Date.now() + 1000);
    const after = await am.alerts({ filter: named(n) });
    expect(after).toHaveLength(1);
    expect(after[0]?.fingerprint).toBe(first.fingerprint);
    expect(after[0]?.annotations.description).toBe('now at 20×');
    expect(Date.parse(after[0]?.startsAt ?? '')).toBe(n.startsAt);
  });

  test('a new firing episode after a resolution shows up again as active', async () => {
    const n = firing();
    const sender = notifier();
    const resolvedAt = Date.now();
    await sender.send([n], resolvedAt - 1000);
    await sender.send([resolved(n, resolvedAt)], resolvedAt);
    expect(await am.alerts({ filter: named(n) })).toEqual([]);
    const again = { ...n, startsAt: resolvedAt + 1 };
    await sender.send([again], Date.now());
    const alerts = await am.alerts({ filter: named(n) });
    expect(alerts.map((a) => [a.status.state, Date.parse(a.startsAt)])).toEqual([['active', again.startsAt]]);
  });

  test('a firing alert that is no longer re-sent resolves by itself after the resolve timeout (mlwarden died)', async () => {
    const n = firing();
    await new AlertmanagerNotifier({ urls: [am.url], resendIntervalMs: 300, resolveTimeoutMs: 1200 }).send([n], Date.now());
    expect(await am.alerts({ filter: named(n) })).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await am.alerts({ filter: named(n) })).toEqual([]);
  });

  test('an alert Alertmanager refuses (invalid label name) is a non-retryable error quoting its reason; the valid ones in the batch still arrive', async () => {
    const good = firing();
    const bad = firing({ labels: { alertname: 'Bad', 'not-a-label': 'x' } });
    const error = await failure(notifier().send([good, bad], Date.now()));
    expect(error).toMatchObject({ code: 'rejected', retryable: false, status: 400 });
    expect(error.message).toContain(`${am.url}/api/v2/alerts`);
    expect(error.message).toContain('invalid label set');
    expect(await am.alerts({ filter: named(good) })).toHaveLength(1);
  });

  test('an unreachable Alertmanager gives a retryable network error naming its URL', async () => {
    const url = await closedPortUrl();
    const error = await failure(new AlertmanagerNotifier({ urls: [url], resendIntervalMs: 60_000, requestTimeoutMs: 2000 }).send([firing()], Date.now()));
    expect(error).toMatchObject({ code: 'network', retryable: true, url: `${url}/api/v2/alerts` });
    expect(error.message).toContain(`${url}/api/v2/alerts`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('with several Alertmanagers every one gets the alerts, and one that is down is named in a retryable error', async () => {
    const second = await startAlertmanager();
    try {
      const down = await closedPortUrl();
      const n = firing();
      const error = await failure(new AlertmanagerNotifier({ urls: [am.url, second.url, down], resendIntervalMs: 60_000 }).send([n], Date.now()));
      expect(await am.alerts({ filter: named(n) })).toHaveLength(1);
      expect(await second.alerts({ filter: named(n) })).toHaveLength(1);
      expect(error).toMatchObject({ retryable: true, code: 'network' });
      expect(error.failures.map((f) => f.url)).toEqual([`${down}/api/v2/alerts`]);
      expect(error.message).toMatch(/^1 of 3 Alertmanagers/);
    } finally {
      await second.stop();
    }
  });
});

describe('Alertmanager notifier against a local HTTP server (credentials, status classes, batching)', () => {
  let server: Server;
  let base: string;
  let answer = { status: 200, body: '' };
  const received: Array<{ url: string; headers: IncomingHttpHeaders; body: unknown }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    received.length = 0;
    answer = { status: 200, body: '' };
  });

  test.each([
    ['basic auth from options', { basicAuth: { username: 'am-user', password: 's3cret-pw' } }, '', `Basic ${Buffer.from('am-user:s3cret-pw').toString('base64')}`],
    ['basic auth from the URL user info', {}, 'am-user:s3cret-pw@', `Basic ${Buffer.from('am-user:s3cret-pw').toString('base64')}`],
    ['a bearer token', { bearerToken: 's3cret-token' }, '', 'Bearer s3cret-token'],
    ['no credentials', {}, '', undefined],
  ])('%s: sent as the Authorization header, to {url}/api/v2/alerts keeping a route prefix', async (_name, auth, userinfo, expected) => {
    const url = `${base.replace('//', `//${userinfo}`)}/alertmanager`;
    await new AlertmanagerNotifier({ urls: [url], resendIntervalMs: 60_000, ...auth }).send([firing()], Date.now());
    expect(received.map((r) => [r.url, r.headers.authorization])).toEqual([['/alertmanager/api/v2/alerts', expected]]);
  });

  test.each([
    ['a 500 is retryable', 500, 'server-error', true],
    ['a 503 is retryable', 503, 'server-error', true],
    ['a 429 is retryable', 429, 'throttled', true],
    ['a 401 is not', 401, 'rejected', false],
    ['a 400 is not', 400, 'rejected', false],
  ])('%s, and the error names the URL and status but never the credential', async (_name, status, code, retryable) => {
    answer = { status, body: '"no"' };
    const url = `${base.replace('//', '//am-user:s3cret-pw@')}/`;
    const error = await failure(new AlertmanagerNotifier({ urls: [url], resendIntervalMs: 60_000 }).send([firing()], Date.now()));
    expect(error).toMatchObject({ code, retryable, status, url: `${base}/api/v2/alerts` });
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain(`${base}/api/v2/alerts`);
    expect(JSON.stringify({ message: error.message, url: error.url })).not.toMatch(/s3cret|am-user/);
  });

  test('a resolved notification is posted with endsAt = its resolution time; a firing one with now + resolve timeout; RFC 3339 timestamps', async () => {
    const n = firing({ startsAt: Date.UTC(2025, 0, 1, 12, 0, 0) });
    const r = resolved(firing({ startsAt: Date.UTC(2025, 0, 1, 11, 0, 0) }), Date.UTC(2025, 0, 1, 11, 30, 0));
    await new AlertmanagerNotifier({ urls: [base], resendIntervalMs: 60_000, resolveTimeoutMs: 120_000 }).send([n, r], Date.UTC(2025, 0, 1, 12, 5, 0));
    expect(received[0]?.body).toEqual([
      { labels: n.labels, annotations: n.annotations, startsAt: '2025-01-01T12:00:00.000Z', endsAt: '2025-01-01T12:07:00.000Z', generatorURL: n.generatorURL },
      { labels: r.labels, annotations: r.annotations, startsAt: '2025-01-01T11:00:00.000Z', endsAt: '2025-01-01T11:30:00.000Z', generatorURL: r.generatorURL },
    ]);
  });

  test('many alerts go in batches of maxBatchSize; nothing to send sends nothing', async () => {
    const sender = new AlertmanagerNotifier({ urls: [base], resendIntervalMs: 60_000, maxBatchSize: 2 });
    await sender.send([], Date.now());
    expect(received).toEqual([]);
    await sender.send([firing(), firing(), firing()], Date.now());
    expect(received.map((r) => (r.body as unknown[]).length)).toEqual([2, 1]);
  });

  test.each([
    ['no URL', { urls: [] }, /at least one Alertmanager URL/],
    ['a non-http URL', { urls: ['ftp://am:21'] }, /must use http or https/],
    ['two kinds of credentials', { urls: ['http://u:p@am:9093'], bearerToken: 't' }, /more than one kind of credentials/],
    ['a resolve timeout not above the resend interval', { urls: ['http://am:9093'], resolveTimeoutMs: 60_000 }, /must exceed resendIntervalMs/],
  ])('bad configuration is refused at construction: %s', (_name, options, message) => {
    expect(() => new AlertmanagerNotifier({ resendIntervalMs: 60_000, ...options })).toThrow(message);
  });

  test('a construction error never echoes a password from the URL', () => {
    expect(() => new AlertmanagerNotifier({ urls: ['http://u:s3cret-pw@am:9093'], bearerToken: 't', resendIntervalMs: 60_000 })).toThrow(/^(?!.*s3cret).*$/s);
  });
});
