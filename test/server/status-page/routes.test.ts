import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../../src/domain/errors.js';
import { authenticator, statusPageRoutes, type ActionApprover, type StatusPageDeps } from '../../../src/server/index.js';
import type { ActionEntry } from '../../../src/store/index.js';
import { ADMIN_TOKEN, INGEST_TOKEN } from '../../support/test-app.js';
import { action, NOW } from './status-fixtures.js';

const HOST = 'status.example:8080';
const SAME = { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/x-www-form-urlencoded' };

/** An approver over an in-memory list: the route's contract is the ActionApprover port. */
function listApprover(entries: ActionEntry[]): ActionApprover & { calls: string[] } {
  const calls: string[] = [];
  const decide = (status: string) => async (id: string, actor: string) => {
    const entry = entries.find((e) => e.id === id);
    if (!entry) throw new MlwardenError('not-found', `no action ${id}`);
    if (entry.status !== 'awaiting-approval') throw new MlwardenError('conflict', `action ${id} is ${entry.status}, not awaiting approval`);
    calls.push(`${status} ${id} by ${actor}`);
    Object.assign(entry, { status, actor });
    return entry;
  };
  return { calls, approve: decide('proposed'), reject: decide('rejected') };
}

function pageApp(options: { tokens?: { ingestTokens: string[]; adminTokens: string[] } } = {}) {
  const entries = [action({ id: 'wait-1', status: 'awaiting-approval' })];
  const approver = listApprover(entries);
  const deps: StatusPageDeps = {
    auth: authenticator(options.tokens ?? { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] }),
    now: () => NOW,
    slos: () => [],
    history: async () => [],
    drift: () => [],
    gpu: async () => undefined,
    actions: async () => entries,
    approver,
  };
  return { app: statusPageRoutes(deps), approver, entries };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
/** What a browser sends after its sign-in prompt: the token as the Basic password. */
const VIEWER = { authorization: `Basic ${Buffer.from(`viewer:${INGEST_TOKEN}`).toString('base64')}` };

describe('reading the page', () => {
  test('with tokens configured, reading needs a token: a Basic challenge without one, a refusal for a wrong one, never the token echoed', async () => {
    const { app } = pageApp();
    const bare = await app.request('/');
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Basic realm="mlwarden", charset="UTF-8"');
    const wrong = await app.request('/', { headers: { authorization: `Basic ${Buffer.from('viewer:not-a-token').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('not-a-token');
    expect((await app.request('/', { headers: VIEWER })).status).toBe(200);
    expect((await app.request('/', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    expect((await app.request('/slos/x')).status).toBe(401);
  });

  test('with no tokens configured, the page is open like the API', async () => {
    expect((await pageApp({ tokens: { ingestTokens: [], adminTokens: [] } }).app.request('/')).status).toBe(200);
  });
});

describe('deciding an action from the page', () => {
  test('the admin token approves: 303 back to the page, which then shows the new status', async () => {
    const { app, approver } = pageApp();
    const res = await app.request('/actions/wait-1/approve', { method: 'POST', headers: SAME, body: form({ token: ADMIN_TOKEN, by: 'alice' }) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/?decided=wait-1#actions');
    expect(approver.calls).toEqual(['proposed wait-1 by alice (status page)']);
    const page = await (await app.request('/?decided=wait-1', { headers: VIEWER })).text();
    expect(page).toContain('Action wait-1 is now proposed.');
  });

  test('reject goes through the same checks', async () => {
    const { app, approver } = pageApp();
    const res = await app.request('/actions/wait-1/reject', { method: 'POST', headers: SAME, body: form({ token: ADMIN_TOKEN }) });
    expect(res.status).toBe(303);
    expect(approver.calls).toEqual(['rejected wait-1 by admin (status page)']);
  });

  test.each([
    ['no token', {}, 401, 'Enter the admin token'],
    ['an unknown token', { token: 'guess-0123456789' }, 401, 'not recognised'],
    ['the ingest token', { token: INGEST_TOKEN }, 403, 'does not grant the admin scope'],
  ])('%s is refused with a page saying why, and nothing changes', async (_, fields: Record<string, string>, status, why) => {
    const { app, approver, entries } = pageApp();
    const res = await app.request('/actions/wait-1/approve', { method: 'POST', headers: SAME, body: form(fields) });
    expect(res.status).toBe(status);
    const body = await res.text();
    expect(body).toContain(why);
    if (fields.token) expect(body).not.toContain(fields.token);
    expect(approver.calls).toEqual([]);
    expect(entries[0]?.status).toBe('awaiting-approval');
  });

  test.each([
    ['from another site', { ...SAME, origin: 'https://evil.example' }],
    ['with neither Origin nor Referer', { host: HOST, 'content-type': SAME['content-type'] }],
    ['with Origin null (a sandboxed frame)', { ...SAME, origin: 'null' }],
    ['marked cross-site by the browser', { ...SAME, 'sec-fetch-site': 'cross-site' }],
  ])('a post %s is refused even with the admin token', async (_, headers) => {
    const { app, approver } = pageApp();
    const res = await app.request('/actions/wait-1/approve', { method: 'POST', headers, body: form({ token: ADMIN_TOKEN }) });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Cross-site request refused');
    expect(approver.calls).toEqual([]);
  });

  test('a same-origin Referer is accepted when the browser sends no Origin', async () => {
    const { app } = pageApp();
    const res = await app.request('/actions/wait-1/approve', { method: 'POST', headers: { host: HOST, referer: `http://${HOST}/`, 'content-type': SAME['content-type'] }, body: form({ token: ADMIN_TOKEN }) });
    expect(res.status).toBe(303);
  });

  test('a JSON post is not a form post (415)', async () => {
    const { app } = pageApp();
    const res = await app.request('/actions/wait-1/approve', { method: 'POST', headers: { ...SAME, 'content-type': 'application/json' }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    expect(res.status).toBe(415);
  });

  test('with no tokens configured (the API is open), the page still refuses to decide: secure by default', async () => {
    const { app, approver } = pageApp({ tokens: { ingestTokens: [], adminTokens: [] } });
    const res = await app.request('/actions/wait-1/approve', { method: 'POST', headers: SAME, body: form({ token: 'anything' }) });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('none is configured');
    expect(approver.calls).toEqual([]);
  });

  test('deciding twice: the second gets the engine\'s conflict as a 409 page', async () => {
    const { app } = pageApp();
    await app.request('/actions/wait-1/approve', { method: 'POST', headers: SAME, body: form({ token: ADMIN_TOKEN }) });
    const again = await app.request('/actions/wait-1/approve', { method: 'POST', headers: SAME, body: form({ token: ADMIN_TOKEN }) });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('not awaiting approval');
  });
});

describe('pages', () => {
  test('GET / is HTML with a strict CSP, no caching and a same-origin referrer policy', async () => {
    const res = await pageApp().app.request('/', { headers: VIEWER });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
  });

  test.each(['/slos/nope', '/drift/fraud/amount'])('%s for something unknown is a 404 page', async (path) => {
    const res = await pageApp().app.request(path, { headers: VIEWER });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<h2>Not found</h2>');
  });
});
