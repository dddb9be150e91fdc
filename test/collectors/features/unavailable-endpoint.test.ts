import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, test } from 'vitest';
import { FeatureClient, type FeatureClientStats } from '../../../collectors/features/index.js';
import { deadUrl, eventually, startIngestDouble, type IngestDouble } from './ingest-double.js';

const RECORDS = 1_000_000;
const CAP = 20_000;
const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap still reachable: after a full collection, so garbage does not count. */
function retainedMb(): number {
  gc();
  return process.memoryUsage().heapUsed / MB;
}

let server: IngestDouble | undefined;
let client: FeatureClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

interface Load {
  worstPending: number;
  /** Retained heap growth over the whole load, and over its last three quarters (once the buffer is full). */
  heapGrowthMb: number;
  lateHeapGrowthMb: number;
  callNs: { p50: number; p99: number; p999: number; max: number };
}

/** record() RECORDS times (two raw features, one binned, a prediction), timing every call and sampling the buffer. */
async function sustainedLoad(c: FeatureClient): Promise<Load> {
  const durations = new Float64Array(RECORDS);
  const heapBefore = retainedMb();
  let heapAtQuarter = 0;
  let worstPending = 0;
  for (let i = 0; i < RECORDS; i++) {
    const start = process.hrtime.bigint();
    c.record({ amount: i % 1000, merchant: `m${i % 50}`, age: i % 90 }, i % 2);
    durations[i] = Number(process.hrtime.bigint() - start);
    if (i % 1000 === 0) {
      worstPending = Math.max(worstPending, c.stats().pendingObservations);
      // Let timers and sockets run, as a serving process between requests would.
      if (i % 50_000 === 0) await new Promise((r) => setImmediate(r));
    }
    if (i === RECORDS / 4) heapAtQuarter = retainedMb();
  }
  const heapAfter = retainedMb();
  durations.sort();
  const at = (q: number) => durations[Math.floor(q * (RECORDS - 1))] as number;
  return { worstPending, heapGrowthMb: heapAfter - heapBefore, lateHeapGrowthMb: heapAfter - heapAtQuarter, callNs: { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) } };
}

/** The measured figures, printed when TEST_LOG is set. */
function report(name: string, load: Load, s: FeatureClientStats): void {
  if (process.env.TEST_LOG) process.stdout.write(`${name}: ${JSON.stringify({ ...load, stats: { ...s, lastError: s.lastError?.slice(0, 80) } })}\n`);
}

function expectAccounted(s: FeatureClientStats): void {
  expect(s.recorded).toBe(s.sent + s.dropped + s.pendingObservations);
}

function expectBoundedAndFast(load: Load, s: FeatureClientStats): void {
  expect(load.worstPending).toBeLessThanOrEqual(CAP);
  expect(s.pendingObservations).toBeLessThanOrEqual(CAP);
  expect(s.recorded).toBe(RECORDS * 4);
  expect(s.dropped).toBeGreaterThan(RECORDS * 4 - 2 * CAP);
  expectAccounted(s);
  // Holding every observation would retain hundreds of MB; the cap holds 20 000 (a few MB), and once full nothing more accumulates.
  expect(load.heapGrowthMb).toBeLessThan(16);
  expect(Math.abs(load.lateHeapGrowthMb)).toBeLessThan(4);
  // Percentiles, not the maximum: a garbage collection pause lands on whichever call allocates next.
  expect(load.callNs.p50).toBeLessThan(5_000);
  expect(load.callNs.p99).toBeLessThan(50_000);
  expect(load.callNs.p999).toBeLessThan(1_000_000);
}

describe('a feature client whose endpoint is down', () => {
  test('connection refused: under a million records the buffer stays at its cap, drops are counted, record() stays in microseconds', async () => {
    const errors: Error[] = [];
    client = new FeatureClient({ url: await deadUrl(), token: 't', model: 'fraud', baselineEdges: { amount: [100, 500, 900] }, maxBufferedObservations: CAP, maxBatch: 500, flushIntervalMs: 20, retryBaseMs: 5, retryMaxMs: 50, onError: (e) => errors.push(e) });
    const load = await sustainedLoad(client);
    const s = client.stats();
    report('connection refused', load, s);
    expectBoundedAndFast(load, s);
    expect(s.sent).toBe(0);
    expect(s.retries).toBeGreaterThan(0);
    expect(errors[0]?.name).toBe('FeatureClientError');
  });

  test('hanging: with a request stuck in flight, the buffer still stays at its cap and record() never waits for it', async () => {
    server = await startIngestDouble(() => 'hang');
    client = new FeatureClient({ url: server.url, token: 't', model: 'fraud', baselineEdges: { amount: [100, 500, 900] }, maxBufferedObservations: CAP, maxBatch: 500, flushIntervalMs: 20, timeoutMs: 60_000, closeTimeoutMs: 200 });
    const load = await sustainedLoad(client);
    const s = client.stats();
    report('hanging', load, s);
    expectBoundedAndFast(load, s);
    // One batch in flight, never answered; nothing else was attempted.
    expect(server.requests).toHaveLength(1);
    expect(s.sent).toBe(0);

    const closing = Date.now();
    await client.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    const after = client.stats();
    expect(after.pendingObservations).toBe(0);
    expect(after.dropped).toBe(after.recorded);
  });

  test('a request that outlives timeoutMs is abandoned and retried', async () => {
    server = await startIngestDouble((n) => (n === 0 ? 'hang' : { status: 200 }));
    client = new FeatureClient({ url: server.url, token: 't', model: 'fraud', timeoutMs: 100, retryBaseMs: 10, flushIntervalMs: 60_000 });
    client.record({ x: 1 });
    await client.flush();
    expect(client.stats()).toMatchObject({ retries: 1, sent: 0, pendingObservations: 1 });
    expect(client.stats().lastError).toMatch(/abort|timeout/i);
    await eventually(() => client?.stats().sent === 1);
    expect(server.accepted().map((r) => r.value)).toEqual([1]);
  });
});
