import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, INGEST_TOKEN, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

let t: TestStore;
let h: TestApp;
const BODY_LIMIT = 64 * 1024;

beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { tokens: { ingestTokens: [INGEST_TOKEN], adminTokens: [ADMIN_TOKEN] }, bodyLimitBytes: BODY_LIMIT });
});
afterAll(async () => {
  await h.close();
  await t.close();
});

const GOOD = { ts: '2026-11-24T10:00:00Z', model: 'fraud', status: 200, latency_ms: 12 };
const AUTH = { authorization: `Bearer ${INGEST_TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };

async function totalRows(): Promise<number> {
  const [row] = await t.rows<{ n: number }>(
    `SELECT (SELECT count() FROM mlwarden.requests) + (SELECT count() FROM mlwarden.runs)
          + (SELECT count() FROM mlwarden.gpu_samples) + (SELECT count() FROM mlwarden.feature_values) AS n`,
  );
  return row?.n ?? -1;
}

interface Case {
  path?: string;
  headers?: Record<string, string>;
  body: string;
  status: number;
  field?: string;
  detail?: RegExp;
}

const cases: Array<[string, Case]> = [
  ['malformed JSON', { body: '[{"ts": "2026-11-24T10:00:00Z", "model": ', status: 400, field: '(body)' }],
  ['an empty body', { body: '', status: 400, field: '(body)' }],
  ['a JSON string instead of records', { body: '"hello"', status: 400, field: '(body)' }],
  ['a number where a record should be', { body: '[42]', status: 400, field: '(record)' }],
  ['a latency given as a string', { body: JSON.stringify([{ ...GOOD, latency_ms: '12' }]), status: 400, field: 'latency_ms', detail: /invalid/ }],
  ['a missing model', { body: JSON.stringify([{ ts: GOOD.ts, status: 200, latency_ms: 1 }]), status: 400, field: 'model' }],
  ['a missing timestamp', { body: JSON.stringify([{ model: 'm', status: 200, latency_ms: 1 }]), status: 400, field: 'ts' }],
  ['NaN (not JSON at all)', { body: '[{"ts":"2026-11-24T10:00:00Z","model":"m","status":200,"latency_ms":NaN}]', status: 400, field: '(body)' }],
  ['Infinity via an overflowing literal', { body: '[{"ts":"2026-11-24T10:00:00Z","model":"m","status":200,"latency_ms":1e999}]', status: 400, field: 'latency_ms' }],
  ['a negative latency', { body: JSON.stringify([{ ...GOOD, latency_ms: -0.5 }]), status: 400, field: 'latency_ms' }],
  ['an absurd date (year 1970 in ms)', { body: JSON.stringify([{ ...GOOD, ts: 86_400_000 }]), status: 400, field: 'ts' }],
  ['an absurd date (year 9999)', { body: JSON.stringify([{ ...GOOD, ts: '9999-01-01T00:00:00Z' }]), status: 400, field: 'ts' }],
  ['one bad record among good ones', { body: JSON.stringify([GOOD, GOOD, { ...GOOD, status: 'ok' }, GOOD]), status: 400, field: 'status' }],
  ['a truncated NDJSON line', { headers: { 'content-type': 'application/x-ndjson' }, body: `${JSON.stringify(GOOD)}\n${JSON.stringify(GOOD).slice(0, 30)}\n`, status: 400, field: 'line 2' }],
  ['a body over the size limit', { body: JSON.stringify(Array.from({ length: 2000 }, () => GOOD)), status: 413, detail: /exceeds 65536 bytes/ }],
  ['an unknown telemetry kind', { path: '/v1/telemetry/logs', body: JSON.stringify([GOOD]), status: 404, detail: /runs, gpu, requests, features/ }],
  ['a kind with SQL in it', { path: "/v1/telemetry/requests'%3B%20DROP%20TABLE%20x", body: JSON.stringify([GOOD]), status: 404 }],
  ['a text/plain body', { headers: { 'content-type': 'text/plain' }, body: JSON.stringify([GOOD]), status: 415 }],
  ['no content type', { headers: { 'content-type': '' }, body: JSON.stringify([GOOD]), status: 415 }],
  ['no token', { headers: { authorization: '' }, body: JSON.stringify([GOOD]), status: 401 }],
  ['a wrong token', { headers: { authorization: 'Bearer not-the-token-0123456789' }, body: JSON.stringify([GOOD]), status: 401 }],
  ['a token under the wrong scheme', { headers: { authorization: `Basic ${INGEST_TOKEN}` }, body: JSON.stringify([GOOD]), status: 401 }],
  ['a prefix of the real token', { headers: { authorization: `Bearer ${INGEST_TOKEN.slice(0, -1)}` }, body: JSON.stringify([GOOD]), status: 401 }],
];

describe('bad input gets the right status, a problem+json body, and writes nothing', () => {
  test.each(cases)('%s', async (_name, c) => {
    const before = await totalRows();
    const response = await h.app.request(c.path ?? '/v1/telemetry/requests', {
      method: 'POST',
      body: c.body,
      headers: { ...JSON_TYPE, ...AUTH, ...c.headers },
    });
    const body = (await response.json()) as { status: number; detail: string; errors?: Array<{ field: string; reason: string }> };
    expect(response.status, JSON.stringify(body)).toBe(c.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(body.status).toBe(c.status);
    if (c.field) expect(body.errors?.map((e) => e.field)).toContain(c.field);
    if (c.detail) expect(body.detail).toMatch(c.detail);
    if (c.status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await new Promise((r) => setTimeout(r, 20));
    expect(await totalRows()).toBe(before);
  });
});

describe('good input next to the bad', () => {
  test('unicode and SQL meta-characters in labels are accepted and stored literally', async () => {
    const model = "模型'); DROP TABLE mlwarden.requests; -- \\ \" 🚀";
    const response = await h.app.request('/v1/telemetry/requests', {
      method: 'POST',
      body: JSON.stringify([{ ...GOOD, model }]),
      headers: { ...JSON_TYPE, ...AUTH },
    });
    expect(response.status).toBe(200);
    expect(await t.rows('SELECT model FROM mlwarden.requests WHERE model = {m:String}', { m: model })).toEqual([{ model }]);
  });

  test('an admin token may ingest too', async () => {
    const response = await h.app.request('/v1/telemetry/requests', { method: 'POST', body: JSON.stringify([GOOD]), headers: { ...JSON_TYPE, authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
  });

  test('a rejection names the record index, field and reason of each problem', async () => {
    const response = await h.app.request('/v1/telemetry/requests', {
      method: 'POST',
      body: JSON.stringify([GOOD, { ...GOOD, latency_ms: -1, status: 99 }]),
      headers: { ...JSON_TYPE, ...AUTH },
    });
    const body = (await response.json()) as { detail: string; errors: unknown[] };
    expect(body.detail).toBe('1 of 2 requests records are invalid; nothing was written');
    expect(body.errors).toEqual([
      { index: 1, field: 'status', reason: 'Too small: expected number to be >=100' },
      { index: 1, field: 'latency_ms', reason: 'Too small: expected number to be >=0' },
    ]);
  });

  test('rejected records are counted on /metrics by kind and outcome', async () => {
    const response = await h.app.request('/metrics');
    const text = await response.text();
    expect(text).toMatch(/mlwarden_ingest_rows_total\{kind="requests",outcome="rejected"\} [1-9]/);
    expect(text).toMatch(/mlwarden_ingest_requests_total\{kind="requests",status="400"\} [1-9]/);
    expect(text).toMatch(/mlwarden_ingest_requests_total\{kind="unknown",status="404"\} [1-9]/);
  });
});
