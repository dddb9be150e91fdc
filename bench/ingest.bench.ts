/**
 * Ingest throughput, requests kind: the HTTP path (a real server on loopback: parse, validate, group
 * commit, TSV INSERT) against ClickHouse ingesting the same rows directly (INSERT … FORMAT
 * JSONEachRow of a pre-serialised body, same batch sizes, same @clickhouse/client + chDB engine).
 * Target: HTTP rows/s >= 0.8 × direct rows/s. Also times each stage of the HTTP path in-process
 * on the same data, to show where the time goes.
 *
 * The HTTP clients (fetch) run in the server's process and share its event loop, so the HTTP figure
 * includes the clients' own cost: it errs on the low side. BENCH_INGEST_ROWS scales the data set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { drainPending } from 'chdb';
import { loadConfig } from '../src/config.js';
import { ERROR_STATUS_FROM, validateRecords } from '../src/domain/telemetry/index.js';
import { parseRecords, type BodyFormat } from '../src/ingest/body-parser.js';
import { createLogger } from '../src/logger.js';
import { startServer, storeConfig, type RunningMlwarden } from '../src/main.js';
import { ident, openStore, TELEMETRY_TABLES, type StoreClient } from '../src/store/index.js';
import { tsvEncoder } from '../src/store/tsv-encoding.js';
import type { BenchModule, BenchReport } from './run.js';

const SEED = 20_261_124;
const TOTAL_ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const REQUEST_ROWS = { min: 5_000, max: 10_000 };
/** Requests (HTTP) or INSERTs (direct) in flight at once. */
const IN_FLIGHT = 4;
/** Interleaved rounds (direct and HTTP once each per round, order alternating); the best runs are compared. */
const ROUNDS = 5;
const BATCH_SHARE = 0.05;
const TARGET_RATIO = 0.8;
const TOKEN = 'bench-ingest-token-0123456789';
const DATABASE = 'mlwarden';
const TABLE = `${DATABASE}.requests`;

// ---------------------------------------------------------------------------------------------
// Data: a deterministic, realistic mix of request telemetry.

/** mulberry32: small, fast, seeded. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Source {
  model: string;
  version?: string;
  endpoint: string;
  namespace: string;
  weight: number;
  medianMs: number;
  sigma: number;
  clientErrors: number;
  serverErrors: number;
  /** How this client stamps records. */
  ts: 'iso' | 'epoch';
  /** Some SDKs send `ok` next to the status. */
  sendsOk?: boolean;
}

const SOURCES: Source[] = [
  { model: 'fraud-detector', version: 'v7', endpoint: '/predict', namespace: 'ml-prod', weight: 30, medianMs: 8, sigma: 0.5, clientErrors: 0.01, serverErrors: 0.003, ts: 'iso' },
  { model: 'fraud-detector', version: 'v8-canary', endpoint: '/predict', namespace: 'ml-prod', weight: 5, medianMs: 9, sigma: 0.6, clientErrors: 0.01, serverErrors: 0.015, ts: 'iso' },
  { model: 'recsys-ranker', version: 'v12', endpoint: '/rank', namespace: 'ml-prod', weight: 25, medianMs: 35, sigma: 0.7, clientErrors: 0.005, serverErrors: 0.005, ts: 'iso', sendsOk: true },
  { model: 'recsys-ranker', version: 'v12', endpoint: '/embed', namespace: 'ml-prod', weight: 10, medianMs: 4, sigma: 0.4, clientErrors: 0.002, serverErrors: 0.002, ts: 'iso', sendsOk: true },
  { model: 'llm-chat', version: 'llama-3.1-70b-2026-10', endpoint: '/v1/chat/completions', namespace: 'genai', weight: 8, medianMs: 900, sigma: 0.9, clientErrors: 0.03, serverErrors: 0.02, ts: 'epoch' },
  { model: 'llm-chat', version: 'llama-3.1-70b-2026-10', endpoint: '/v1/embeddings', namespace: 'genai', weight: 7, medianMs: 40, sigma: 0.5, clientErrors: 0.01, serverErrors: 0.005, ts: 'epoch' },
  { model: 'image-classifier', endpoint: '/classify', namespace: 'vision', weight: 10, medianMs: 60, sigma: 0.6, clientErrors: 0.02, serverErrors: 0.004, ts: 'iso' },
  { model: 'churn-model', version: 'v3', endpoint: '/score', namespace: 'ml-staging', weight: 5, medianMs: 15, sigma: 0.8, clientErrors: 0.01, serverErrors: 0.05, ts: 'iso' },
];
const CLIENT_ERRORS = [400, 404, 422, 429];
const SERVER_ERRORS = [500, 502, 503, 504];
/** Prometheus-style bucket bounds a sidecar aggregates into (ms). */
const BUCKET_BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, Number.POSITIVE_INFINITY];

type ApiRecord = Record<string, unknown>;
/** A requests row as the ClickHouse columns expect it (JSONEachRow): what a client writing to ClickHouse directly sends. */
type ColumnRow = Record<string, unknown>;

interface Generated {
  api: ApiRecord;
  column: ColumnRow;
}

class Generator {
  private readonly random: () => number;
  private readonly totalWeight = SOURCES.reduce((sum, s) => sum + s.weight, 0);

  constructor(seed: number, private readonly startMs: number, private readonly spanMs: number, private readonly total: number) {
    this.random = seededRandom(seed);
  }

  /** Size of the next request body, uniform in REQUEST_ROWS. */
  requestSize(): number {
    return REQUEST_ROWS.min + Math.floor(this.random() * (REQUEST_ROWS.max - REQUEST_ROWS.min + 1));
  }

  /** The i-th record of the stream (time advances with i, ±0.5 s of jitter), as the API and as the columns take it. */
  record(i: number): Generated {
    const source = this.pickSource();
    const ms = Math.round(this.startMs + (i / this.total) * this.spanMs + (this.random() - 0.5) * 1000);
    const iso = new Date(ms).toISOString();
    const api: ApiRecord = { ts: source.ts === 'iso' ? iso : ms, model: source.model };
    if (source.version !== undefined) api.version = source.version;
    api.endpoint = source.endpoint;
    api.namespace = source.namespace;
    const column: ColumnRow = { ts: iso.slice(0, 23).replace('T', ' '), model: source.model, version: source.version ?? '', endpoint: source.endpoint, namespace: source.namespace };
    if (this.random() < BATCH_SHARE) this.batch(api, column, source);
    else this.single(api, column, source);
    return { api, column };
  }

  private single(api: ApiRecord, column: ColumnRow, source: Source): void {
    const status = this.status(source);
    const latency = round3(this.latency(source));
    api.status = status;
    api.latency_ms = latency;
    if (source.sendsOk) api.ok = status < ERROR_STATUS_FROM;
    Object.assign(column, {
      status, count: 1, errors: status >= ERROR_STATUS_FROM ? 1 : 0, latency_ms: latency, latency_sum_ms: latency, bucket_bounds_ms: [], bucket_counts: [],
    });
  }

  /** A sidecar's pre-aggregate over a few seconds: per-bucket counts (not cumulative) summing to count. */
  private batch(api: ApiRecord, column: ColumnRow, source: Source): void {
    const count = 10 + Math.floor(this.random() * 190);
    const buckets = new Array<number>(BUCKET_BOUNDS.length).fill(0);
    let sum = 0;
    for (let n = 0; n < count; n++) {
      const latency = this.latency(source);
      sum += latency;
      const at = BUCKET_BOUNDS.findIndex((bound) => latency <= bound);
      buckets[at] = (buckets[at] as number) + 1;
    }
    const errors = Math.min(count, Math.round(count * source.serverErrors * 2 * this.random()));
    const latencySum = round3(sum);
    api.count = count;
    api.errors = errors;
    api.latency_buckets = Object.fromEntries(BUCKET_BOUNDS.map((bound, i) => [bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound), buckets[i]]));
    api.latency_sum_ms = latencySum;
    Object.assign(column, {
      status: 0, count, errors, latency_ms: null, latency_sum_ms: latencySum,
      // JSONEachRow reads "inf" for a Float64 (JSON has no infinity).
      bucket_bounds_ms: BUCKET_BOUNDS.map((bound) => (bound === Number.POSITIVE_INFINITY ? 'inf' : bound)),
      bucket_counts: buckets,
    });
  }

  private pickSource(): Source {
    let left = this.random() * this.totalWeight;
    for (const source of SOURCES) {
      left -= source.weight;
      if (left < 0) return source;
    }
    return SOURCES[SOURCES.length - 1] as Source;
  }

  private status(source: Source): number {
    const r = this.random();
    if (r < source.serverErrors) return pick(SERVER_ERRORS, this.random());
    if (r < source.serverErrors + source.clientErrors) return pick(CLIENT_ERRORS, this.random());
    return 200;
  }

  /** Log-normal around the source's median (Box-Muller). */
  private latency(source: Source): number {
    const u = 1 - this.random();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
    return source.medianMs * Math.exp(source.sigma * normal);
  }
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)] as T;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

interface Batch {
  rows: number;
  /** Sum of `count` (requests represented), to check nothing was lost. */
  requests: number;
  format: BodyFormat;
  contentType: string;
  /** The HTTP request body (NDJSON or a JSON array). */
  http: Buffer;
  /** The same rows as JSONEachRow in column shape, for the direct INSERT. */
  direct: Buffer;
}

interface Dataset {
  batches: Batch[];
  rows: number;
  requests: number;
  httpBytes: number;
  directBytes: number;
}

function buildDataset(total: number, now: number): Dataset {
  // An hour of traffic ending two hours ago: inside retention, never in the future.
  const hour = 60 * 60 * 1000;
  const startMs = Math.floor(now / hour) * hour - 3 * hour;
  const generator = new Generator(SEED, startMs, hour, total);
  const batches: Batch[] = [];
  let i = 0;
  while (i < total) {
    const size = Math.min(generator.requestSize(), total - i);
    const generated = Array.from({ length: size }, () => generator.record(i++));
    const records = generated.map((g) => g.api);
    // Half the bodies NDJSON, half JSON arrays.
    const format: BodyFormat = batches.length % 2 === 0 ? 'ndjson' : 'json';
    const http = format === 'ndjson' ? records.map((r) => JSON.stringify(r)).join('\n') + '\n' : JSON.stringify(records);
    batches.push({
      rows: size,
      requests: generated.reduce((sum, g) => sum + (g.column.count as number), 0),
      format,
      contentType: format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
      http: Buffer.from(http),
      direct: Buffer.from(generated.map((g) => JSON.stringify(g.column)).join('\n') + '\n'),
    });
  }
  return {
    batches,
    rows: total,
    requests: batches.reduce((sum, b) => sum + b.requests, 0),
    httpBytes: batches.reduce((sum, b) => sum + b.http.length, 0),
    directBytes: batches.reduce((sum, b) => sum + b.direct.length, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers.

/** Runs task(0..count-1) with at most `inFlight` running at once. */
async function inParallel(count: number, inFlight: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** Wall and CPU seconds of work; CPU counts every thread of this process (JS, GC, and the chDB engine). */
async function measured(work: () => Promise<void>): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const seconds = await timed(work);
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function rowsPerSecond(rows: number, seconds: number): number {
  return Math.round(rows / seconds);
}

async function truncate(store: StoreClient): Promise<void> {
  // The per-minute rollup is fed by a materialized view on requests: empty both so every run starts equal.
  for (const table of ['requests', 'requests_1m']) await store.client.command({ query: `TRUNCATE TABLE IF EXISTS ${DATABASE}.${table}` });
}

async function landed(store: StoreClient): Promise<{ rows: number; requests: number }> {
  const result = await store.client.query({ query: `SELECT count() AS rows, sum(count) AS requests FROM ${TABLE}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ rows: number | string; requests: number | string }>();
  return { rows: Number(row?.rows ?? 0), requests: Number(row?.requests ?? 0) };
}

async function expectLanded(store: StoreClient, data: Dataset, path: string): Promise<void> {
  const got = await landed(store);
  if (got.rows !== data.rows || got.requests !== data.requests) {
    throw new Error(`${path}: expected ${data.rows} rows (${data.requests} requests) in ${TABLE}, found ${got.rows} (${got.requests})`);
  }
}

function bodyStream(body: Buffer): Readable {
  return Readable.from([body], { objectMode: false });
}

async function insertJsonEachRow(store: StoreClient, body: Buffer): Promise<void> {
  // insert() wants objects for JSON formats; exec() sends a pre-serialised body as is.
  const result = await store.client.exec({ query: `INSERT INTO ${TABLE} FORMAT JSONEachRow`, values: bodyStream(body) });
  result.stream.destroy();
}

// ---------------------------------------------------------------------------------------------
// The paths under test. Each run starts from empty tables and ends by checking every row landed.

interface PathRun {
  seconds: number;
  cpuSeconds: number;
  /** HTTP only: the server's INSERTs during the run. */
  flush?: FlushStats;
}

interface Path {
  name: string;
  run(data: Dataset): Promise<PathRun>;
}

function directPath(store: StoreClient, inFlight: number): Path {
  return {
    name: `direct x${inFlight}`,
    async run(data) {
      await truncate(store);
      const run = await measured(() => inParallel(data.batches.length, inFlight, (i) => insertJsonEachRow(store, (data.batches[i] as Batch).direct)));
      await expectLanded(store, data, this.name);
      return run;
    },
  };
}

async function postBatch(url: string, batch: Batch): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': batch.contentType, authorization: `Bearer ${TOKEN}` },
    body: batch.http,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
  const { accepted } = JSON.parse(text) as { accepted: number };
  if (accepted !== batch.rows) throw new Error(`server accepted ${accepted} of ${batch.rows} records`);
}

interface FlushStats {
  inserts: number;
  rows: number;
  seconds: number;
}

/** The server's own flush metrics (cumulative; absent until the first flush): INSERTs, rows, time inserting. */
async function flushStats(server: RunningMlwarden): Promise<FlushStats> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}\\{kind="requests"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    inserts: metric('mlwarden_ingest_flush_rows_count'),
    rows: metric('mlwarden_ingest_flush_rows_sum'),
    seconds: metric('mlwarden_ingest_flush_duration_seconds_sum'),
  };
}

function httpPath(server: RunningMlwarden, store: StoreClient, inFlight: number): Path {
  const url = `${server.url}/v1/telemetry/requests`;
  return {
    name: `HTTP x${inFlight}`,
    async run(data) {
      await truncate(store);
      const before = await flushStats(server);
      const run = await measured(() => inParallel(data.batches.length, inFlight, (i) => postBatch(url, data.batches[i] as Batch)));
      const after = await flushStats(server);
      await expectLanded(store, data, this.name);
      return { ...run, flush: { inserts: after.inserts - before.inserts, rows: after.rows - before.rows, seconds: after.seconds - before.seconds } };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Stages of the HTTP path, timed separately in-process on the same data (one at a time, no overlap),
// calling the functions the server calls.

interface Stages {
  decode: number;
  parse: number;
  validate: number;
  encode: number;
  insert: number;
  tsvBytes: number;
}

async function timeStages(store: StoreClient, data: Dataset): Promise<Stages> {
  const encoder = tsvEncoder(TELEMETRY_TABLES.requests);
  const ms = { decode: 0, parse: 0, validate: 0, encode: 0 };
  const tsvBodies: Buffer[] = [];
  const now = Date.now();
  for (const batch of data.batches) {
    const t0 = performance.now();
    const text = batch.http.toString('utf8');
    const t1 = performance.now();
    const records = parseRecords(text, batch.format);
    const t2 = performance.now();
    const rows = validateRecords('requests', records, now);
    const t3 = performance.now();
    // As the writer does: the encoded text becomes the INSERT body.
    const tsv = Buffer.from(encoder.encode(rows as unknown as Array<Record<string, unknown>>));
    const t4 = performance.now();
    ms.decode += t1 - t0;
    ms.parse += t2 - t1;
    ms.validate += t3 - t2;
    ms.encode += t4 - t3;
    tsvBodies.push(tsv);
  }
  // The INSERT as the writer sends it, in bodies of the request size (the server groups several).
  const columns = encoder.columns.map(ident) as [string, ...string[]];
  await truncate(store);
  const insert = await timed(async () => {
    for (const body of tsvBodies) await store.client.insert({ table: TABLE, columns, values: bodyStream(body), format: 'TabSeparated' });
  });
  await expectLanded(store, data, 'TSV insert stage');
  const tsvBytes = tsvBodies.reduce((sum, b) => sum + b.length, 0);
  return { decode: ms.decode / 1000, parse: ms.parse / 1000, validate: ms.validate / 1000, encode: ms.encode / 1000, insert, tsvBytes };
}

function bestStages(runs: Stages[]): Stages {
  const best = (key: keyof Stages) => Math.min(...runs.map((r) => r[key]));
  return { decode: best('decode'), parse: best('parse'), validate: best('validate'), encode: best('encode'), insert: best('insert'), tsvBytes: best('tsvBytes') };
}

// ---------------------------------------------------------------------------------------------

/** The 1-minute load average: above the CPU count, other processes take turns with the bench and its figures swing. */
function machineLoad(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

async function run(log: (line: string) => void): Promise<BenchReport> {
  const loadBefore = machineLoad();
  const generating = performance.now();
  const data = buildDataset(TOTAL_ROWS, Date.now());
  log(`generated ${data.rows.toLocaleString('en-US')} records in ${data.batches.length} bodies of ${REQUEST_ROWS.min}-${REQUEST_ROWS.max} ` +
    `(${mb(data.httpBytes)} MB API JSON, ${mb(data.directBytes)} MB JSONEachRow) in ${((performance.now() - generating) / 1000).toFixed(1)} s`);

  const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-bench-ingest-'));
  const config = loadConfig({
    env: { MLWARDEN_DATA_DIR: dataDir, MLWARDEN_HOST: '127.0.0.1', MLWARDEN_PORT: '0', MLWARDEN_LOG_LEVEL: 'error', MLWARDEN_INGEST_TOKEN: TOKEN },
  });
  const server = await startServer(config, createLogger(config.log.level));
  // A second connection to the same engine and data directory, for the direct path and the checks.
  const store = await openStore(storeConfig(config));
  try {
    const paths = [directPath(store, IN_FLIGHT), httpPath(server, store, IN_FLIGHT)];
    const runs = new Map<string, PathRun[]>(paths.map((p) => [p.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so neither path always runs first (warm-up) or second (after the other's merges).
      const order = round % 2 === 0 ? paths : [...paths].reverse();
      for (const path of order) runs.get(path.name)?.push(await path.run(data));
      log(`round ${round + 1}: ${paths.map((p) => `${p.name} ${fmt(rowsPerSecond(data.rows, (runs.get(p.name)?.[round] as PathRun).seconds))}`).join(', ')} rows/s`);
    }
    // For reference: one direct INSERT at a time.
    const sequential = directPath(store, 1);
    runs.set(sequential.name, [await sequential.run(data)]);
    const stages = bestStages([await timeStages(store, data), await timeStages(store, data)]);
    await truncate(store);
    return report(data, runs, stages, config.ingest, { before: loadBefore, after: machineLoad(), cpus: cpus().length });
  } finally {
    await store.close();
    await server.close();
    await drainPending();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

function best(runs: PathRun[]): PathRun {
  return runs.reduce((b, r) => (r.seconds < b.seconds ? r : b));
}

interface MachineLoad {
  before: number;
  after: number;
  cpus: number;
}

function report(
  data: Dataset,
  runs: Map<string, PathRun[]>,
  stages: Stages,
  ingest: { max_batch_rows: number; flush_interval_ms: number },
  load: MachineLoad,
): BenchReport {
  const rows = data.rows;
  const perRow = (seconds: number) => (seconds / rows) * 1e6;
  const directNames = [...runs.keys()].filter((name) => name.startsWith('direct'));
  const httpName = `HTTP x${IN_FLIGHT}`;
  const http = runs.get(httpName) as PathRun[];
  const httpBest = best(http);
  // The baseline sends as many INSERTs at once as the HTTP clients send requests (direct x1 is shown for reference).
  const baselineName = `direct x${IN_FLIGHT}`;
  const baselineRuns = runs.get(baselineName) as PathRun[];
  const ratio = best(baselineRuns).seconds / httpBest.seconds;
  // Per round: the same comparison within one interleaved round (less exposed to drifts in machine load).
  const roundRatios = http.map((h, round) => (baselineRuns[round] as PathRun).seconds / h.seconds);
  const medianRoundRatio = [...roundRatios].sort((a, b) => a - b)[Math.floor(roundRatios.length / 2)] as number;
  const js = stages.decode + stages.parse + stages.validate + stages.encode;
  const flush = httpBest.flush as FlushStats;

  const pathLine = (name: string) => {
    const list = runs.get(name) as PathRun[];
    const b = best(list);
    return {
      measure: `${name} (best of ${list.length})`,
      'rows/s': rowsPerSecond(rows, b.seconds),
      'µs/row': perRow(b.seconds),
      'CPU µs/row': perRow(b.cpuSeconds),
      'vs HTTP wall': '',
      note: `rounds: ${list.map((r) => fmt(rowsPerSecond(rows, r.seconds))).join(' / ')}`,
    };
  };
  const stageLine = (measure: string, seconds: number, note = '') => ({
    measure,
    'rows/s': rowsPerSecond(rows, seconds),
    'µs/row': perRow(seconds),
    'CPU µs/row': '',
    'vs HTTP wall': `${((seconds / httpBest.seconds) * 100).toFixed(0)}%`,
    note,
  });
  const table = [
    ...directNames.map(pathLine),
    pathLine(httpName),
    stageLine('  parse (parseRecords)', stages.parse, 'stage, in-process'),
    stageLine('  validate (validateRecords)', stages.validate, 'stage, in-process'),
    stageLine('  encode TSV', stages.encode, 'stage, in-process'),
    stageLine('  decode body (utf8)', stages.decode, 'stage, in-process'),
    stageLine('  = JS per row, main thread', js, 'sum of the stages above'),
    stageLine('  insert TSV, request-sized', stages.insert, 'stage, one INSERT at a time'),
    stageLine('  server INSERTs in best HTTP run', flush.seconds, `${flush.inserts} INSERTs of ${fmt(Math.round(flush.rows / Math.max(1, flush.inserts)))} rows avg`),
  ];
  const notes = [
    'CPU µs/row: CPU time of every thread in this process (JS, GC, chDB engine) per row, during the run.',
    `machine load (1-min average) ${load.before} before, ${load.after} after (the bench adds about 1.5), on ${load.cpus} CPUs` +
      (load.before >= load.cpus ? ': other work was running, figures are noisy' : ''),
    `ratio HTTP / direct: ${ratio.toFixed(3)} (best of ${ROUNDS} each, baseline ${baselineName}); ` +
      `per interleaved round: ${roundRatios.map((r) => r.toFixed(3)).join(', ')} (median ${medianRoundRatio.toFixed(3)})`,
    `body bytes: API JSON ${mb(data.httpBytes)} MB, JSONEachRow ${mb(data.directBytes)} MB, TSV ${mb(stages.tsvBytes)} MB; ` +
      `ingest: max_batch_rows ${fmt(ingest.max_batch_rows)}, flush_interval_ms ${ingest.flush_interval_ms}`,
  ];
  const rowsPerSecondOf = (list: PathRun[]) => ({
    best: rowsPerSecond(rows, best(list).seconds),
    rounds: list.map((r) => rowsPerSecond(rows, r.seconds)),
    cpuMicrosPerRow: list.map((r) => perRow(r.cpuSeconds)),
  });
  return {
    table,
    notes,
    targets: [{ metric: 'HTTP rows/s / direct rows/s', value: ratio, atLeast: TARGET_RATIO, met: ratio >= TARGET_RATIO }],
    details: {
      rows,
      requests: data.requests,
      bodies: data.batches.length,
      requestRows: REQUEST_ROWS,
      inFlight: IN_FLIGHT,
      rounds: ROUNDS,
      ingestConfig: ingest,
      machineLoad: load,
      ratio,
      target: TARGET_RATIO,
      targetMet: ratio >= TARGET_RATIO,
      baseline: baselineName,
      roundRatios,
      medianRoundRatio,
      rowsPerSecond: Object.fromEntries([...runs].map(([name, list]) => [name, rowsPerSecondOf(list)])),
      httpServerInserts: flush,
      stageSeconds: { ...stages, jsTotal: js },
      stageRowsPerSecond: {
        decode: rowsPerSecond(rows, stages.decode),
        parse: rowsPerSecond(rows, stages.parse),
        validate: rowsPerSecond(rows, stages.validate),
        encode: rowsPerSecond(rows, stages.encode),
        jsTotal: rowsPerSecond(rows, js),
        insertTsv: rowsPerSecond(rows, stages.insert),
      },
      bytes: { apiJson: data.httpBytes, jsonEachRow: data.directBytes, tsv: stages.tsvBytes },
    },
  };
}

export const ingestBench: BenchModule = {
  name: 'ingest',
  description: `requests kind: HTTP path (parse, validate, group commit, TSV INSERT) vs direct INSERT FORMAT JSONEachRow; target ratio >= ${TARGET_RATIO}`,
  run,
};
