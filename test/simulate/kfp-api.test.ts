import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startKfpEmulator, type KfpEmulator, type KfpRun } from '../../src/simulate/kfp-api-server.js';

const TOKEN = 'kfp-secret';
let kfp: KfpEmulator;
let clock: number;

beforeEach(async () => {
  clock = Date.parse('2026-03-01T12:00:00Z');
  kfp = await startKfpEmulator({ now: () => clock, token: TOKEN });
  kfp.addPipelineVersion('pipe-1', 'v1', 'retrain v1');
});

afterEach(async () => {
  await kfp.close();
});

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function call(method: string, path: string, body?: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${kfp.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const runRequest = (displayName: string, extra: object = {}) => ({
  display_name: displayName,
  pipeline_version_reference: { pipeline_id: 'pipe-1', pipeline_version_id: 'v1' },
  runtime_config: { parameters: { learning_rate: 0.01, dataset: 'events-2026-02' } },
  ...extra,
});

async function createRun(displayName: string, extra: object = {}): Promise<KfpRun> {
  const { status, body } = await call('POST', '/apis/v2beta1/runs', runRequest(displayName, extra));
  expect(status).toBe(200);
  return body as unknown as KfpRun;
}

const listRuns = async (query: Record<string, string>) => (await call('GET', `/apis/v2beta1/runs?${new URLSearchParams(query)}`)).body;
const equals = (key: string, value: string, operation = 'EQUALS') => JSON.stringify({ predicates: [{ key, operation, string_value: value }] });

describe('KFP v2beta1 runs', () => {
  test('A created run should come back PENDING with its reference, parameters and history, and be readable by id', async () => {
    const run = await createRun('retrain-2026-03-01', { experiment_id: 'exp-1', description: 'nightly' });
    expect(run).toMatchObject({
      display_name: 'retrain-2026-03-01',
      description: 'nightly',
      experiment_id: 'exp-1',
      pipeline_version_reference: { pipeline_id: 'pipe-1', pipeline_version_id: 'v1' },
      runtime_config: { parameters: { learning_rate: 0.01, dataset: 'events-2026-02' } },
      state: 'PENDING',
      storage_state: 'AVAILABLE',
      created_at: '2026-03-01T12:00:00Z',
      scheduled_at: '2026-03-01T12:00:00Z',
      finished_at: '1970-01-01T00:00:00Z',
      state_history: [{ update_time: '2026-03-01T12:00:00Z', state: 'PENDING' }],
    });
    expect(run.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('GET', `/apis/v2beta1/runs/${run.run_id}`)).body).toEqual(run);
  });

  test('A run moved on by setRunState should show its states in order and a finish time', async () => {
    const run = await createRun('r');
    clock += 60_000;
    kfp.setRunState(run.run_id, 'RUNNING');
    clock += 60_000;
    kfp.setRunState(run.run_id, 'FAILED', 'trainer OOMKilled');
    const read = (await call('GET', `/apis/v2beta1/runs/${run.run_id}`)).body as unknown as KfpRun;
    expect(read.state_history.map((h) => h.state)).toEqual(['PENDING', 'RUNNING', 'FAILED']);
    expect(read).toMatchObject({ state: 'FAILED', finished_at: '2026-03-01T12:02:00Z', error: { message: 'trainer OOMKilled' } });
  });

  test('Listing should filter by experiment and by display name (EQUALS and IS_SUBSTRING), newest first with sort_by created_at desc', async () => {
    await createRun('retrain-a', { experiment_id: 'exp-1' });
    clock += 1000;
    await createRun('retrain-b', { experiment_id: 'exp-1' });
    clock += 1000;
    await createRun('backfill', { experiment_id: 'exp-2' });
    const names = (page: Record<string, unknown>) => ((page.runs as KfpRun[] | undefined) ?? []).map((r) => r.display_name);
    expect(names(await listRuns({ experiment_id: 'exp-1', sort_by: 'created_at desc' }))).toEqual(['retrain-b', 'retrain-a']);
    expect(await listRuns({ filter: equals('display_name', 'retrain-a') })).toMatchObject({ total_size: 1, runs: [{ display_name: 'retrain-a' }] });
    expect(names(await listRuns({ filter: equals('display_name', 'retrain', 'IS_SUBSTRING') }))).toEqual(['retrain-a', 'retrain-b']);
    expect(await listRuns({ filter: equals('display_name', 'missing') })).toEqual({});
  });

  test('Pages should follow next_page_token to the end with the total on every page', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      await createRun(`run-${n}`);
      clock += 1000;
    }
    const first = await listRuns({ page_size: '2', sort_by: 'created_at desc' });
    expect(first).toMatchObject({ total_size: 5 });
    const seen = (first.runs as KfpRun[]).map((r) => r.display_name);
    let token = first.next_page_token as string | undefined;
    while (token !== undefined) {
      const page = await listRuns({ page_size: '2', page_token: token });
      seen.push(...(page.runs as KfpRun[]).map((r) => r.display_name));
      token = page.next_page_token as string | undefined;
    }
    expect(seen).toEqual(['run-5', 'run-4', 'run-3', 'run-2', 'run-1']);
  });
});

describe('KFP errors', () => {
  const CASES: Array<[sentence: string, method: string, path: string, body: object | undefined, status: number, code: number]> = [
    ['An unknown run id should be a 404 NOT_FOUND', 'GET', '/apis/v2beta1/runs/0b6f5c2e-0000-4000-8000-000000000000', undefined, 404, 5],
    ['A run without a display name should be a 400 INVALID_ARGUMENT', 'POST', '/apis/v2beta1/runs', runRequest(''), 400, 3],
    ['A run of an unknown pipeline version should be a 404 NOT_FOUND', 'POST', '/apis/v2beta1/runs', { ...runRequest('x'), pipeline_version_reference: { pipeline_id: 'pipe-1', pipeline_version_id: 'v9' } }, 404, 5],
    ['A filter on an unsupported key should be a 400 INVALID_ARGUMENT', 'GET', `/apis/v2beta1/runs?filter=${encodeURIComponent(equals('colour', 'red'))}`, undefined, 400, 3],
  ];

  test.each(CASES)('%s with the grpc-gateway error body', async (_sentence, method, path, body, status, code) => {
    const response = await call(method, path, body);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ code, details: [] });
    expect(response.body.message).toEqual(expect.any(String));
    expect(response.body.error_message).toBe(response.body.message);
  });

  test('A request without the bearer token should be a 401 UNAUTHENTICATED', async () => {
    const response = await fetch(`${kfp.url}/apis/v2beta1/runs`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 16, details: [] });
  });

  test('A fault after the write should create the run but answer 500, so a client must look it up before retrying', async () => {
    kfp.faults.add({ method: 'POST', path: '/runs', status: 500, afterWrite: true });
    const lost = await call('POST', '/apis/v2beta1/runs', runRequest('once'));
    expect(lost).toMatchObject({ status: 500, body: { code: 13 } });
    expect(kfp.runs().map((r) => r.display_name)).toEqual(['once']);
    expect(await listRuns({ filter: equals('display_name', 'once') })).toMatchObject({ total_size: 1 });
    expect(kfp.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /apis/v2beta1/runs', 'GET /apis/v2beta1/runs']);
  });

  test('A plain injected 500 should not create the run, and a delay should only hold the answer back', async () => {
    kfp.faults.add({ method: 'POST', status: 500 });
    kfp.faults.add({ method: 'GET', delayMs: 100 });
    expect((await call('POST', '/apis/v2beta1/runs', runRequest('never'))).status).toBe(500);
    const started = Date.now();
    expect(await listRuns({})).toEqual({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});
