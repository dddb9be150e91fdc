import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { telemetryInserter, type TelemetryInserter } from '../../src/store/index.js';
import { metricValue, startServer, stopAllServers, type ServerProcess } from '../support/server-process.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * Acceptance: "A saturated writer answers 429/503 with Retry-After and memory stays bounded."
 *
 * 1. In process (real app, real chDB store): far more concurrent requests than max_pending_rows
 *    allows. Refusals are 429 problem+json with Retry-After; the writer's pending rows, sampled
 *    continuously and at every INSERT, never exceed the bound; every 200'd request's rows landed and
 *    no refused request's rows did. A failing store answers 503 with Retry-After. A request larger
 *    than the bound on its own is a prompt 413.
 * 2. The real server process (JS heap capped at 128 MB) under sustained overload that refuses
 *    hundreds of times the row bound and 4× the heap cap in bytes: its queue gauge stays within the
 *    bound, it keeps answering (a retained refusal would exhaust the heap and kill it), its heap stays
 *    flat and its resident memory grows by less than the refused volume; what it acknowledged landed,
 *    what it refused did not, and an oversized request is a prompt 413.
 */

const ISO = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request's body: `rows` run records whose model is the batch id, so what landed is countable per request. */
function batch(batchId: string, rows: number, padBytes = 0): Array<Record<string, unknown>> {
  const ts = ISO();
  const labels = padBytes > 0 ? { pad: 'x'.repeat(padBytes) } : {};
  return Array.from({ length: rows }, (_, i) => ({ ts, run_id: `${batchId}-${i}`, kind: 'step', state: 'succeeded', model: batchId, namespace: 'saturation', labels }));
}

interface Answer {
  id: string;
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: string;
  ms: number;
}

async function answer(id: string, response: Response, t0: number): Promise<Answer> {
  return {
    id,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    body: await response.text(),
    ms: performance.now() - t0,
  };
}

function expectProblem(a: Answer, status: number, type: string, retryAfter: string | null): void {
  expect(a.status).toBe(status);
  expect(a.contentType).toMatch(/^application\/problem\+json/);
  expect(a.retryAfter).toBe(retryAfter);
  const problem = JSON.parse(a.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ type: `https://mlwarden.dev/problems/${type}`, status });
  expect(typeof problem.title).toBe('string');
  expect(typeof problem.detail).toBe('string');
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

describe('a saturated writer, in process over a real store', () => {
  const MAX_PENDING = 200;
  const ROWS = 50;
  const CLIENTS = 48;
  const REQUESTS_PER_CLIENT = 25;
  const INSERT_DELAY_MS = 10;

  let t: TestStore;
  let h: TestApp;
  let failInserts = false;
  /** pendingRows('runs') seen at the start of every INSERT and by a 1 ms sampler. */
  const pendingSamples: number[] = [];
  let inserts = 0;

  beforeAll(async () => {
    t = await openTestStore();
    const real = telemetryInserter(t.store.client, t.ctx.database);
    // The real store, made a little slower so the writer stays saturated on any machine.
    const slow: TelemetryInserter = {
      async insert(kind, rows) {
        pendingSamples.push(h.ingest.pendingRows('runs'));
        inserts++;
        await sleep(INSERT_DELAY_MS);
        if (failInserts) throw new Error('connection refused (simulated store outage)');
        await real.insert(kind, rows);
      },
    };
    h = testApp(t, { inserter: slow, ingest: { maxPendingRows: MAX_PENDING, maxBatchRows: MAX_PENDING, flushIntervalMs: 5, retryAfterSeconds: 2 } });
  });
  afterAll(async () => {
    await h?.close();
    await t?.close();
  });

  async function landedPerBatch(prefix: string): Promise<Map<string, number>> {
    const rows = await t.rows<{ model: string; n: number }>('SELECT model, toUInt64(count()) AS n FROM mlwarden.runs WHERE startsWith(model, {prefix:String}) GROUP BY model', { prefix });
    return new Map(rows.map((r) => [r.model, Number(r.n)]));
  }

  test('refuses with 429 + Retry-After beyond max_pending_rows, never exceeds it, and stores exactly the 200s', { timeout: 120_000 }, async () => {
    const answers: Answer[] = [];
    const sampler = setInterval(() => pendingSamples.push(h.ingest.pendingRows('runs')), 1);
    try {
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let seq = 0; seq < REQUESTS_PER_CLIENT; seq++) {
            const id = `sat-c${client}-${seq}`;
            const t0 = performance.now();
            answers.push(await answer(id, await post(h.app, 'runs', batch(id, ROWS)), t0));
            pendingSamples.push(h.ingest.pendingRows('runs'));
          }
        }),
      );
    } finally {
      clearInterval(sampler);
    }

    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 429).map((a) => `${a.id}: ${a.status} ${a.body}`)).toEqual([]);
    expect(refused.length).toBeGreaterThan(answers.length / 4);
    expect(ok.length).toBeGreaterThan(0);
    for (const a of refused) expectProblem(a, 429, 'overloaded', '2');
    for (const a of ok) expect(JSON.parse(a.body)).toEqual({ accepted: ROWS });

    // The bound holds at every INSERT and at every sample.
    expect(Math.max(...pendingSamples)).toBeLessThanOrEqual(MAX_PENDING);

    const landed = await landedPerBatch('sat-');
    expect(ok.filter((a) => landed.get(a.id) !== ROWS).map((a) => a.id)).toEqual([]);
    expect(refused.filter((a) => landed.has(a.id)).map((a) => a.id)).toEqual([]);
    expect([...landed.values()].reduce((s, n) => s + n, 0)).toBe(ok.length * ROWS);

    console.log(
      `saturation in process: ${answers.length} requests of ${ROWS} rows from ${CLIENTS} clients, max_pending_rows ${MAX_PENDING}: ` +
        `200 ${ok.length}, 429 ${refused.length}; ${inserts} INSERTs; max pending sampled ${Math.max(...pendingSamples)} over ${pendingSamples.length} samples; ` +
        `429 latency p50 ${percentile(refused.map((a) => a.ms), 50).toFixed(1)} ms p99 ${percentile(refused.map((a) => a.ms), 99).toFixed(1)} ms; ` +
        `200 latency p50 ${percentile(ok.map((a) => a.ms), 50).toFixed(1)} ms p99 ${percentile(ok.map((a) => a.ms), 99).toFixed(1)} ms`,
    );
  });

  test('a request larger than max_pending_rows on its own is a prompt 413, even while the queue is full', { timeout: 60_000 }, async () => {
    // Keep the queue busy while the oversized request arrives.
    const background = Array.from({ length: 8 }, (_, i) => post(h.app, 'runs', batch(`big-bg-${i}`, ROWS)));
    const t0 = performance.now();
    const tooBig = await Promise.race([
      post(h.app, 'runs', batch('big-one', MAX_PENDING + 1)).then((r) => answer('big-one', r, t0)),
      sleep(10_000).then(() => undefined),
    ]);
    await Promise.all(background);
    expect(tooBig, 'the oversized request was not answered within 10 s').toBeDefined();
    expectProblem(tooBig as Answer, 413, 'too-large', null);
    expect(tooBig?.body).toMatch(new RegExp(`at most ${MAX_PENDING} records`));
    // Exactly the bound is still accepted when the queue is free.
    const atBound = await post(h.app, 'runs', batch('big-at-bound', MAX_PENDING));
    expect(atBound.status).toBe(200);
    const landed = await landedPerBatch('big-');
    expect(landed.has('big-one')).toBe(false);
    expect(landed.get('big-at-bound')).toBe(MAX_PENDING);
    console.log(`saturation 413: oversized request (${MAX_PENDING + 1} rows) answered in ${(tooBig as Answer).ms.toFixed(1)} ms`);
  });

  test('when the store fails, requests get 503 with Retry-After and nothing is acknowledged', { timeout: 60_000 }, async () => {
    failInserts = true;
    let answers: Answer[];
    try {
      answers = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const t0 = performance.now();
          return answer(`down-${i}`, await post(h.app, 'runs', batch(`down-${i}`, ROWS)), t0);
        }),
      );
    } finally {
      failInserts = false;
    }
    for (const a of answers) expect([429, 503]).toContain(a.status);
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const a of unavailable) expectProblem(a, 503, 'unavailable', '2');
    for (const a of answers.filter((x) => x.status === 429)) expectProblem(a, 429, 'overloaded', '2');
    expect((await landedPerBatch('down-')).size).toBe(0);
    // The writer recovers once the store does.
    expect((await post(h.app, 'runs', batch('after-outage', ROWS))).status).toBe(200);
    expect(h.ingest.pendingRows('runs')).toBe(0);
  });
});

describe('the real server under sustained overload', () => {
  const MAX_PENDING = 500;
  const ROWS = 100;
  /** Each record carries a 2 KB label, so a request is ~210 KB and refusals add up to a lot of bytes fast. */
  const PAD_BYTES = 2_000;
  const CLIENTS = 32;
  const WARMUP_MS = 2_000;
  /** Overload lasts at least this long after the warm-up... */
  const MIN_OVERLOAD_MS = 5_000;
  /** ...and until the refused bodies add up to this many bytes, several times the heap cap (gives up at MAX_OVERLOAD_MS). */
  const REFUSED_TARGET_BYTES = 512 * 1024 * 1024;
  const MAX_OVERLOAD_MS = 120_000;
  const SAMPLE_MS = 200;
  const HEAP_CAP_MB = 128;
  // Bounds relative to the baseline sampled at the end of the warm-up.
  const MAX_HEAP_GROWTH = 64 * 1024 * 1024;
  /** The heap's floor (least sample of a window: what survives GC) may not creep by more than this from the first to the last quarter. */
  const MAX_HEAP_FLOOR_CREEP = 32 * 1024 * 1024;
  /**
   * Resident memory is mostly the embedded engine and the allocator: it ramps up over the first
   * ~15 s of heavy ingest, overloaded or not, then plateaus (~+250 MB over a 90 s overload run). The
   * bound sits below three quarters of the refused volume, so retaining refusals natively would break it.
   */
  const MAX_RSS_GROWTH = 384 * 1024 * 1024;
  const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

  const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-saturation-'));
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({
      dataDir,
      // A hard cap on the server's JS heap: were refused bodies (or their parsed rows) retained, the
      // hundreds of MB refused below could not fit, and the process would die of heap exhaustion.
      nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`],
      config: { ingest: { max_pending_rows: MAX_PENDING, max_batch_rows: MAX_PENDING, flush_interval_ms: 20, retry_after_seconds: 3 }, log: { level: 'info' } },
    });
  });
  afterAll(async () => {
    await stopAllServers();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  interface Sample {
    at: number;
    heapUsed: number | undefined;
    rss: number | undefined;
    queueRows: number | undefined;
  }

  async function sample(at: number): Promise<Sample> {
    const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(20_000) });
    const text = await response.text();
    const proc = server.memory();
    return {
      at,
      heapUsed: metricValue(text, 'mlwarden_nodejs_heap_size_used_bytes'),
      rss: proc?.rssBytes ?? metricValue(text, 'mlwarden_process_resident_memory_bytes'),
      queueRows: metricValue(text, 'mlwarden_ingest_queue_rows', { kind: 'runs' }),
    };
  }

  test('queue and memory stay bounded while refusing 4× the heap cap in bodies, hundreds of times max_pending_rows', { timeout: 300_000 }, async () => {
    const counts = new Map<number, number>();
    const acked: string[] = [];
    const refusedIds: string[] = [];
    let refusedBytes = 0;
    let badRefusal: string | undefined;
    /** The first request or sample that failed (timeout, connection reset): the server is dead or thrashing. */
    let loadError: string | undefined;
    let stop = false;
    const t0 = Date.now();
    const loops = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let seq = 0; !stop; seq++) {
        const id = `ovl-c${client}-${seq}`;
        const body = JSON.stringify(batch(id, ROWS, PAD_BYTES));
        let response: Response;
        let text: string;
        try {
          response = await fetch(`${server.url}/v1/telemetry/runs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(20_000),
          });
          text = await response.text();
        } catch (error) {
          loadError ??= `request ${id} failed after ${Date.now() - t0} ms: ${String(error)} ${String((error as { cause?: unknown }).cause ?? '')}`;
          stop = true;
          return;
        }
        counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
        if (response.status === 200) acked.push(id);
        else if (response.status === 429) {
          refusedIds.push(id);
          refusedBytes += body.length;
          const problem = response.headers.get('content-type')?.startsWith('application/problem+json') && response.headers.get('retry-after') === '3';
          if (!problem && badRefusal === undefined) badRefusal = `${response.headers.get('content-type')} retry-after=${response.headers.get('retry-after')} ${text}`;
        }
      }
    });

    const samples: Sample[] = [];
    let baseline: Sample | undefined;
    let refusedAtBaseline = 0;
    let refusedBytesAtBaseline = 0;
    const overloadDone = () =>
      baseline !== undefined && Date.now() - t0 >= WARMUP_MS + MIN_OVERLOAD_MS && (refusedBytes - refusedBytesAtBaseline >= REFUSED_TARGET_BYTES || Date.now() - t0 >= WARMUP_MS + MAX_OVERLOAD_MS);
    try {
      while (!overloadDone() && !stop) {
        await sleep(SAMPLE_MS);
        let s: Sample;
        try {
          s = await sample(Date.now() - t0);
        } catch (error) {
          loadError ??= `/metrics failed after ${Date.now() - t0} ms: ${String(error)}`;
          break;
        }
        samples.push(s);
        if (baseline === undefined && s.at >= WARMUP_MS) {
          baseline = s;
          refusedAtBaseline = refusedIds.length;
          refusedBytesAtBaseline = refusedBytes;
        }
      }
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    const overloadMs = Date.now() - t0 - (baseline?.at ?? 0);
    const series = () =>
      samples.map((x) => `${(x.at / 1000).toFixed(1)}: ${((x.heapUsed ?? 0) / 2 ** 20).toFixed(0)}/${((x.rss ?? 0) / 2 ** 20).toFixed(0)}/${x.queueRows}`).join(', ');
    if (loadError !== undefined) {
      await server.kill('SIGKILL');
      expect.fail(`the server stopped answering under overload: ${loadError}\nsamples (s: heapUsed MB / RSS MB / queue rows): ${series()}\n${server.describe()}`);
    }
    const peakRss = server.memory()?.peakRssBytes;
    const after = await sample(Date.now() - t0);

    expect(badRefusal).toBeUndefined();
    expect([...counts.keys()].filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(baseline?.heapUsed, server.describe()).toBeDefined();
    expect(baseline?.rss).toBeDefined();
    const base = { at: (baseline as Sample).at, heapUsed: baseline?.heapUsed as number, rss: baseline?.rss as number };
    const overload = samples.filter((s) => s.at >= base.at);
    const refusedDuringOverload = refusedIds.length - refusedAtBaseline;
    const refusedBytesDuringOverload = refusedBytes - refusedBytesAtBaseline;

    // Overloaded, sustained: the refusals after the baseline alone are far beyond both the row bound and the heap cap.
    expect(refusedDuringOverload * ROWS).toBeGreaterThanOrEqual(100 * MAX_PENDING);
    expect(refusedBytesDuringOverload, `only ${MB(refusedBytesDuringOverload)} refused in ${overloadMs} ms`).toBeGreaterThanOrEqual(REFUSED_TARGET_BYTES);
    // The writer's queue (queued + in flight) never exceeds the bound at any sample...
    expect(samples.map((s) => s.queueRows ?? Number.NaN).filter((q) => !(q >= 0 && q <= MAX_PENDING))).toEqual([]);
    // ...and once the load stops, it drains.
    expect(after.queueRows).toBe(0);
    // Memory is flat: no sample in the overload period exceeds the baseline by more than the bounds,
    // and the heap's floor does not creep from the first quarter of the period to the last.
    const heaps = overload.map((s) => s.heapUsed ?? 0);
    const maxHeap = Math.max(...heaps);
    const maxRss = Math.max(...overload.map((s) => s.rss ?? 0));
    const quarter = Math.max(1, Math.floor(heaps.length / 4));
    const firstFloor = Math.min(...heaps.slice(0, quarter));
    const lastFloor = Math.min(...heaps.slice(-quarter));
    expect(maxHeap - base.heapUsed, `heap ${MB(base.heapUsed)} → max ${MB(maxHeap)}`).toBeLessThan(MAX_HEAP_GROWTH);
    expect(lastFloor - firstFloor, `heap floor ${MB(firstFloor)} → ${MB(lastFloor)}`).toBeLessThan(MAX_HEAP_FLOOR_CREEP);
    expect(maxRss - base.rss, `rss ${MB(base.rss)} → max ${MB(maxRss)}`).toBeLessThan(MAX_RSS_GROWTH);

    // What the server acknowledged landed; what it refused did not.
    const from = t0 - 60 * 60 * 1000;
    const to = Date.now() + 60 * 60 * 1000;
    const response = await fetch(`${server.url}/v1/telemetry/summary?kind=runs&from=${from}&to=${to}`);
    expect(response.status).toBe(200);
    const landed = new Map(((await response.json()) as { telemetry: Array<{ group: string; records: number }> }).telemetry.map((r) => [r.group, r.records]));
    expect(acked.filter((id) => landed.get(id) !== ROWS)).toEqual([]);
    expect(refusedIds.filter((id) => landed.has(id))).toEqual([]);
    expect(landed.size).toBe(acked.length);

    // A request larger than the bound on its own: 413 at once, not a hang.
    const t413 = performance.now();
    const tooBig = await fetch(`${server.url}/v1/telemetry/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch('ovl-too-big', MAX_PENDING + 1)),
      signal: AbortSignal.timeout(10_000),
    });
    const ms413 = performance.now() - t413;
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await tooBig.text();

    console.log(
      `saturation server: ${CLIENTS} clients × ${ROWS} rows (~${MB(JSON.stringify(batch('x', ROWS, PAD_BYTES)).length)} per request), max_pending_rows ${MAX_PENDING}, heap cap ${HEAP_CAP_MB} MB: ` +
        `${[...counts].map(([s, n]) => `${s}×${n}`).join(', ')}; overload ${(overloadMs / 1000).toFixed(1)} s refused ${refusedDuringOverload} requests = ${refusedDuringOverload * ROWS} rows ` +
        `(${Math.round((refusedDuringOverload * ROWS) / MAX_PENDING)}× the bound) = ${MB(refusedBytesDuringOverload)} of bodies; acked ${acked.length} batches all present, refused present 0; ` +
        `max queue rows sampled ${Math.max(...samples.map((s) => s.queueRows ?? 0))}; ` +
        `heapUsed baseline ${MB(base.heapUsed)} max ${MB(maxHeap)}, floor ${MB(firstFloor)} → ${MB(lastFloor)}; RSS baseline ${MB(base.rss)} max ${MB(maxRss)}${peakRss ? ` (lifetime peak ${MB(peakRss)})` : ''}; ` +
        `413 in ${ms413.toFixed(1)} ms`,
    );
    console.log(`saturation server samples (s: heapUsed MB / RSS MB / queue rows): ${series()}`);
  });
});
