import { afterEach, describe, expect, test } from 'vitest';
import { FeatureClient, FeatureClientError } from '../../../collectors/features/index.js';
import { eventually, startIngestDouble, type IngestDouble } from './ingest-double.js';

let server: IngestDouble;
let client: FeatureClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server.close();
});

const UNAVAILABLE = { status: 503, headers: { 'retry-after': '1' }, body: '{"title":"ClickHouse did not confirm the write"}' };
const BAD_REQUEST = { status: 400, headers: { 'content-type': 'application/problem+json' }, body: '{"title":"1 of 3 features records are invalid"}' };

describe('a feature client whose endpoint answers 503 with Retry-After, then recovers', () => {
  test('every observation is delivered exactly once, the retry waits for Retry-After, and order is kept', async () => {
    server = await startIngestDouble((n) => (n < 2 ? UNAVAILABLE : { status: 200 }));
    const errors: Error[] = [];
    // retryBaseMs is tiny, so only Retry-After can explain a wait of a second.
    client = new FeatureClient({ url: server.url, token: 't', model: 'fraud', maxBatch: 25, flushIntervalMs: 60_000, retryBaseMs: 1, retryMaxMs: 2, onError: (e) => errors.push(e) });
    for (let seq = 0; seq < 100; seq++) client.record({ seq });
    await eventually(() => client?.stats().sent === 100, 10_000);

    const delivered = server.accepted().map((r) => r.value);
    expect(delivered).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const [first, second, third] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(950);
    // The refused batch was the same one both times: retried, not re-cut.
    expect(second?.records).toEqual(first?.records);
    expect(server.requests.filter((r) => r.status === 200)).toHaveLength(4);
    expect(client.stats()).toMatchObject({ recorded: 100, sent: 100, dropped: 0, pendingObservations: 0, retries: 2 });
    expect(errors.map((e) => (e as FeatureClientError).status)).toEqual([503, 503]);
  });
});

describe('a feature client whose buffer overflows while it waits to retry', () => {
  test('the oldest observations are dropped, including the batch waiting to be retried, and the newest are delivered', async () => {
    server = await startIngestDouble((n) => (n === 0 ? UNAVAILABLE : { status: 200 }));
    client = new FeatureClient({ url: server.url, token: 't', model: 'fraud', maxBatch: 5, maxBufferedObservations: 20, flushIntervalMs: 60_000 });
    for (let seq = 0; seq < 5; seq++) client.record({ seq });
    await client.flush();
    expect(client.stats()).toMatchObject({ retries: 1, pendingObservations: 5 });
    for (let seq = 5; seq < 100; seq++) client.record({ seq });
    expect(client.stats()).toMatchObject({ pendingObservations: 20, dropped: 80 });
    await eventually(() => client?.stats().sent === 20, 10_000);
    expect(server.accepted().map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
  });
});

describe('a feature client whose endpoint answers 400', () => {
  test('the batch is dropped and counted after one attempt, and later batches are still sent (no retry storm)', async () => {
    server = await startIngestDouble(() => BAD_REQUEST);
    const errors: FeatureClientError[] = [];
    client = new FeatureClient({ url: server.url, token: 't', model: 'fraud', flushIntervalMs: 20, retryBaseMs: 1, retryMaxMs: 2, onError: (e) => errors.push(e as FeatureClientError) });
    client.record({ a: 1, b: 'x' }, 0.3);
    await eventually(() => server.requests.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests).toHaveLength(1);
    expect(client.stats()).toMatchObject({ recorded: 3, sent: 0, dropped: 3, pendingObservations: 0, retries: 0, rejectedBatches: 1 });
    expect(client.stats().lastError).toMatch(/400.*invalid/);
    expect(errors.map((e) => [e.kind, e.status])).toEqual([['rejected', 400]]);

    client.record({ a: 2 });
    await client.flush();
    expect(server.requests).toHaveLength(2);
    expect(client.stats()).toMatchObject({ dropped: 4, rejectedBatches: 2, retries: 0 });
  });

  test('401 is refused the same way: a wrong token is never retried', async () => {
    server = await startIngestDouble(() => ({ status: 401 }));
    client = new FeatureClient({ url: server.url, token: 'wrong', model: 'fraud', flushIntervalMs: 60_000, retryBaseMs: 1 });
    client.record({ a: 1 });
    await client.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(1);
    expect(client.stats()).toMatchObject({ dropped: 1, rejectedBatches: 1, retries: 0 });
  });

  test('429 is retried', async () => {
    server = await startIngestDouble((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 }));
    client = new FeatureClient({ url: server.url, token: 't', model: 'fraud', flushIntervalMs: 60_000 });
    client.record({ a: 1 });
    await client.flush();
    await eventually(() => client?.stats().sent === 1);
    expect(server.accepted().map((r) => r.value)).toEqual([1]);
    expect(client.stats().retries).toBe(1);
  });
});
