import { afterEach, describe, expect, test } from 'vitest';
import { FeatureClient, OTHER_CATEGORY, type FeatureValue, type HistogramRecord } from '../../../collectors/features/index.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';
import { eventually, startIngestDouble, type IngestDouble } from './ingest-double.js';

const EDGES = [10, 20, 30];
let server: IngestDouble;
let client: FeatureClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server.close();
});

/** How many values fall in each bin, straight from the bin definitions (-∞,e0), [e0,e1), …, [e(n-1),+∞). */
function expectedCounts(edges: number[], values: number[]): number[] {
  return Array.from({ length: edges.length + 1 }, (_, i) => values.filter((v) => (i === 0 || v >= (edges[i - 1] as number)) && (i === edges.length || v < (edges[i] as number))).length);
}

function newClient(options: Partial<ConstructorParameters<typeof FeatureClient>[0]> = {}): FeatureClient {
  client = new FeatureClient({ url: server.url, token: 'tok-123', model: 'fraud', version: 'v7', flushIntervalMs: 60_000, ...options });
  return client;
}

describe('a feature client talking to an endpoint that accepts', () => {
  test('batches arrive as valid feature records, with histogram counts equal to the recorded values binned', async () => {
    server = await startIngestDouble();
    const c = newClient({ baselineEdges: { amount: EDGES }, categories: { country: ['DE', 'FR'] }, maxNewCategories: 1 });
    const amounts = [9.99, 10, 15, 19.999, 20, 29, 30, 1e9, -5, 10, 30];
    const countries = ['DE', 'FR', 'IT', 'ES', 'IT', 'DE', 'NL', 'FR', 'DE', 'DE', 'FR'];
    amounts.forEach((amount, i) => c.record({ amount, country: countries[i] as string, age: i === 3 ? null : 40 + i }, i % 2));
    c.record({ amount: null, country: null, age: Number.NaN });
    await c.flush();

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/telemetry/features');
    expect(request?.headers.authorization).toBe('Bearer tok-123');
    expect(request?.headers['content-type']).toBe('application/json');
    const records = server.accepted();
    expect(() => validateRecords('features', records, Date.now())).not.toThrow();

    const histograms = records.filter((r) => 'edges' in r) as unknown as HistogramRecord[];
    expect(histograms).toHaveLength(1);
    expect(histograms[0]).toMatchObject({ model: 'fraud', version: 'v7', feature: 'amount', edges: EDGES, missing: 1 });
    expect(histograms[0]?.counts).toEqual(expectedCounts(EDGES, amounts));
    expect(histograms[0]?.counts).toEqual([2, 4, 2, 3]);

    const byFeature = (f: string) => records.filter((r) => r.feature === f);
    // IT is the one new category kept by name; ES and NL, beyond maxNewCategories, become "other".
    expect(byFeature('country').map((r) => r.category ?? null)).toEqual(['DE', 'FR', 'IT', OTHER_CATEGORY, 'IT', 'DE', OTHER_CATEGORY, 'FR', 'DE', 'DE', 'FR', null]);
    expect(byFeature('age').map((r) => r.value ?? null)).toEqual([40, 41, 42, null, 44, 45, 46, 47, 48, 49, 50, null]);
    expect(byFeature('prediction').map((r) => r.value)).toEqual(amounts.map((_, i) => i % 2));
    expect(c.stats()).toMatchObject({ recorded: 12 * 3 + 11, sent: 12 * 3 + 11, dropped: 0, pendingObservations: 0, retries: 0 });
  });

  test('a full batch ships without waiting for the interval, and no POST carries more than maxBatch records', async () => {
    server = await startIngestDouble();
    const c = newClient({ maxBatch: 10 });
    for (let i = 0; i < 35; i++) c.record({ seq: i });
    await eventually(() => server.accepted().length >= 30);
    expect(server.requests.map((r) => r.records.length)).toEqual([10, 10, 10]);
    await c.flush();
    expect(server.accepted().map((r) => r.value)).toEqual(Array.from({ length: 35 }, (_, i) => i));
  });

  test('the interval ships what was recorded without any flush', async () => {
    server = await startIngestDouble();
    const c = newClient({ flushIntervalMs: 50 });
    c.record({ score: 0.5 }, 'approve');
    await eventually(() => server.accepted().length === 2);
    expect(server.accepted().map((r) => [r.feature, r.value ?? r.category])).toEqual([['score', 0.5], ['prediction', 'approve']]);
  });

  test('binned features ship a hundredth of the bytes of the same values sent raw', async () => {
    server = await startIngestDouble();
    const values = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 1000 / 10);
    const edges = Array.from({ length: 9 }, (_, i) => (i + 1) * 10);
    const binned = newClient({ baselineEdges: { x: edges }, maxBatch: 100_000 });
    for (const x of values) binned.record({ x });
    await binned.flush();
    const raw = new FeatureClient({ url: server.url, token: 't', model: 'fraud', flushIntervalMs: 60_000, maxBatch: 100_000 });
    for (const x of values) raw.record({ x });
    await raw.close();
    const [binnedRequest, rawRequest] = server.requests;
    expect(binnedRequest?.records[0]?.counts).toEqual(expectedCounts(edges, values));
    expect(rawRequest?.records).toHaveLength(10_000);
    expect((binnedRequest?.bytes ?? Infinity) * 100).toBeLessThan(rawRequest?.bytes ?? 0);
  });

  test('values record() cannot use are dropped, counted and reported once, never thrown', async () => {
    server = await startIngestDouble();
    const errors: Error[] = [];
    const c = newClient({ onError: (e) => errors.push(e) });
    const odd = { ['x'.repeat(300)]: 1, '': 2, ok: 3, obj: {} as unknown as FeatureValue };
    expect(() => c.record(odd)).not.toThrow();
    expect(() => c.record(odd)).not.toThrow();
    await c.flush();
    expect(server.accepted().map((r) => r.feature)).toEqual(['ok', 'ok']);
    expect(c.stats()).toMatchObject({ recorded: 8, sent: 2, dropped: 6 });
    expect(errors.map((e) => e.message)).toHaveLength(1);
  });
});
