import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { authenticator, problemResponse, requireScope, type Scope } from '../../src/server/index.js';

const INGEST = 'ingest-token-aaaaaaaaaaaaaaaa';
const INGEST_NEXT = 'ingest-token-bbbbbbbbbbbbbbbb';
const ADMIN = 'admin-token-cccccccccccccccccc';

function appFor(scope: Scope, tokens = { ingestTokens: [INGEST, INGEST_NEXT], adminTokens: [ADMIN] }): Hono {
  const app = new Hono();
  app.get('/x', requireScope(authenticator(tokens), scope), (c) => c.text('ok'));
  app.onError((error, c) => problemResponse(c, error));
  return app;
}

async function status(app: Hono, token?: string): Promise<number> {
  const response = await app.request('/x', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

describe('bearer-token scopes', () => {
  test.each([
    ['an ingest token may ingest', 'ingest', INGEST, 200],
    ['the second ingest token (rotation) may ingest', 'ingest', INGEST_NEXT, 200],
    ['an admin token may ingest', 'ingest', ADMIN, 200],
    ['an admin token may act as admin', 'admin', ADMIN, 200],
    ['an ingest token may read', 'read', INGEST, 200],
    ['an ingest token is forbidden from admin actions (403, not 401)', 'admin', INGEST, 403],
    ['an unknown token is unauthorised', 'ingest', 'x'.repeat(30), 401],
    ['no token is unauthorised', 'ingest', undefined, 401],
  ] as const)('%s', async (_name, scope, token, expected) => {
    expect(await status(appFor(scope), token)).toBe(expected);
  });

  test('with no tokens configured the API is open (and main.ts logs a warning)', async () => {
    expect(await status(appFor('admin', { ingestTokens: [], adminTokens: [] }))).toBe(200);
  });

  test('the scheme is case-insensitive and trailing spaces are tolerated', async () => {
    const response = await appFor('ingest').request('/x', { headers: { authorization: `bearer ${INGEST}  ` } });
    expect(response.status).toBe(200);
  });

  test('a refusal never echoes the presented token', async () => {
    const secret = 'presented-secret-token-123456789';
    const response = await appFor('ingest').request('/x', { headers: { authorization: `Bearer ${secret}` } });
    expect(await response.text()).not.toContain(secret);
  });
});
