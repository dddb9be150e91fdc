/**
 * PSI at scale (issue 4, acceptance 5): 50 numeric features × 10 models over 10 million observations
 * in 24 hourly windows, against baselines of 10 quantile bins. Paths, measured in the same run and
 * interleaved (order rotated each round; best of ROUNDS compared):
 *   - mlwarden: what DriftLoop.runOnce runs: BaselineStore.list(), then per model evaluateModelDrift
 *     reading WindowBinner.bins (binning in ClickHouse, counts only) and scoring in JS (PSI,
 *     sample-size-aware decision, episodes, drift share);
 *   - hand-written: ONE ClickHouse query binning every model/feature/window against the stored
 *     baselines (JOIN on the baselines table) and computing mlwarden's PSI in SQL;
 *   - plain JS: all 10M raw rows streamed out of ClickHouse (chDB Session.queryStream,
 *     JSONCompactEachRow, no sampling), binned and scored by a straightforward implementation
 *     written here from the formula (independent of src/domain).
 * Also measured, to show where mlwarden's time goes: a prototype of the suggested WindowBinner change
 * (has() → IN) run end to end through evaluateModelDrift, and the binning SQL alone in variants
 * (WindowBinner's numeric and histogram queries; IN vs has(); edges by Map lookup vs JOIN; one query
 * per model vs one for all). BENCH_PSI_ROWS and BENCH_PSI_ROUNDS shrink a run while developing.
 * Target: mlwarden seconds <= 1.5 × hand-written seconds. Every path's PSI must equal mlwarden's to
 * 1e-9 on all 12,000 feature-windows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { drainPending, Session } from 'chdb';
import { DEFAULT_DRIFT_SETTINGS, evaluateModelDrift, type DriftSettings, type ModelDrift, type WindowBinsReader } from '../src/analysis/drift-evaluator.js';
import { buildNumericBaseline, DEFAULT_EPSILON_FLOOR } from '../src/domain/drift/index.js';
import { BaselineStore, migrate, openStore, WindowBinner, type StoreClient, type StoredBaseline, type WindowBins, type WindowBinsQuery } from '../src/store/index.js';
import type { BenchModule, BenchReport } from './run.js';

const DATABASE = 'mlwarden';
const TABLE = `${DATABASE}.feature_values`;
const MODELS = 10;
const FEATURES = 50;
const SERIES = MODELS * FEATURES;
const OBSERVATIONS = Number(process.env.BENCH_PSI_ROWS ?? 10_000_000);
const WINDOW_MS = 3_600_000;
const WINDOWS = 24;
const DAY_MS = WINDOWS * WINDOW_MS;
const BINS = 10;
/** Reference ("training") values per model/feature the baselines are built from. */
const REFERENCE_PER_SERIES = 5_000;
const ROUNDS = Number(process.env.BENCH_PSI_ROUNDS ?? 3);
const TARGET_RATIO = 1.5;
const TOLERANCE = 1e-9;

const SETTINGS: DriftSettings = { ...DEFAULT_DRIFT_SETTINGS, windowMs: WINDOW_MS, lookbackWindows: WINDOWS };

// ---------------------------------------------------------------------------------------------
// Data, generated inside ClickHouse. Row `number` belongs to series s = number % 500 (model s % 10,
// feature s / 10) and is that series' i-th observation, i = number / 500, spread evenly over the day
// (20,000 per series, ~833 per feature-window). Feature kinds by feature % 5: 0-2 normal, 3 shifted
// exponential, 4 integer-valued (rounded normal: values on the edges, collapsed duplicate quantiles).
// Models 0-4 drift: features ≡ 0 mod 7 shift by 0.5 sd from hour 16, features ≡ 5 mod 11 widen 1.5×
// from hour 12, feature 13 goes 10% null from hour 20. Everywhere else 0.5% of values are null.
// (Distinct dummy arguments keep ClickHouse from merging the random calls of one row.)

const VALUE_SQL = `multiIf(
    randCanonical(3) < if(drifts AND fi = 13 AND h >= 20, 0.1, 0.005), NULL,
    fi % 5 = 3, mu + shift + scale * sd * randExponential(1, 1),
    fi % 5 = 4, round(mu + 2 * shift + scale * 2 * randNormal(0, 1, 2)),
    mu + shift + scale * sd * randNormal(0, 1, 2))`;

/** Per-row aliases; the query defines `number`, `drifting` and `h` (hour of the day, -1 for the reference). */
const SERIES_SQL = `number % ${SERIES} AS s, s % ${MODELS} AS mi, intDiv(s, ${MODELS}) AS fi,
  concat('model-', leftPad(toString(mi), 2, '0')) AS model_name, concat('feature-', leftPad(toString(fi), 2, '0')) AS feature_name,
  toFloat64((fi % 10) * 3) - 10 + mi AS mu, 1 + (fi % 4) * 0.5 + mi * 0.1 AS sd,
  drifting AND mi < 5 AS drifts,
  if(drifts AND fi % 7 = 0 AND h >= 16, 0.5 * sd, 0) AS shift,
  if(drifts AND fi % 11 = 5 AND h >= 12, 1.5, 1) AS scale`;

async function insertObservations(store: StoreClient, start: number): Promise<void> {
  const step = Math.floor(DAY_MS / Math.ceil(OBSERVATIONS / SERIES));
  await store.client.command({
    query: `INSERT INTO ${TABLE} (ts, model, version, feature, value, observations)
WITH 1 AS drifting, intDiv(number, ${SERIES}) AS i,
  {start:Int64} + i * {step:UInt32} + cityHash64(number) % {step:UInt32} AS t, intDiv(t - {start:Int64}, ${WINDOW_MS}) AS h,
  ${SERIES_SQL}
SELECT fromUnixTimestamp64Milli(t, 'UTC'), model_name, 'v1', feature_name, ${VALUE_SQL}, 1
FROM numbers({rows:UInt64})`,
    query_params: { start, step, rows: OBSERVATIONS },
  });
  // One part per partition, as after background merges: every run reads the same layout.
  await store.client.command({ query: `OPTIMIZE TABLE ${TABLE} FINAL` });
}

/** Baselines: 10 quantile bins (buildNumericBaseline) from each series' reference values (same generator, no drift). */
async function registerBaselines(store: StoreClient, createdAt: number): Promise<StoredBaseline[]> {
  const result = await store.client.query({
    query: `WITH 0 AS drifting, -1 AS h, ${SERIES_SQL}
SELECT model_name AS model, feature_name AS feature, groupArray(${VALUE_SQL}) AS values
FROM numbers({rows:UInt64}) GROUP BY model, feature ORDER BY model, feature`,
    query_params: { rows: SERIES * REFERENCE_PER_SERIES },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ model: string; feature: string; values: Array<number | null> }>();
  const baselines: StoredBaseline[] = rows.map((r) => ({
    model: r.model,
    version: '',
    feature: r.feature,
    baseline: buildNumericBaseline(r.values, { bins: BINS }),
    source: 'bench',
    created_at: createdAt,
  }));
  await new BaselineStore(store.client, DATABASE).save(baselines);
  return baselines;
}

// ---------------------------------------------------------------------------------------------
// The end-to-end paths. Each returns PSI per (model, feature, window start) for the verification.

type PsiMap = Map<string, number>;
const psiKey = (model: string, feature: string, windowStart: number) => `${model}\u0000${feature}\u0000${windowStart}`;

interface PathOutput {
  /** End-to-end paths: PSI per feature-window, for the verification. */
  psi?: PsiMap;
  /** SQL-only variants: observations binned (must be every one of them; histogram query: 0). */
  binned?: number;
  /** Seconds inside the binning queries (mlwarden-style paths); the rest of the wall time is JS. */
  sqlSeconds?: number;
  drift?: ModelDrift[];
}

/** DriftLoop.runOnce's work minus writing scores and metrics: list baselines, then each model in turn. */
async function driftPath(client: ClickHouseClient, now: number, reader: (q: WindowBinsQuery) => Promise<WindowBins[]>): Promise<PathOutput> {
  let sqlMs = 0;
  const readBins: WindowBinsReader = async (q) => {
    const started = performance.now();
    try {
      return await reader(q);
    } finally {
      sqlMs += performance.now() - started;
    }
  };
  const baselines = await new BaselineStore(client, DATABASE).list();
  const drift: ModelDrift[] = [];
  for (const model of [...new Set(baselines.map((b) => b.model))].sort()) drift.push(await evaluateModelDrift(readBins, model, baselines, now, SETTINGS));
  const psi: PsiMap = new Map();
  for (const m of drift) {
    for (const f of m.features) for (const w of f.windows) if (w.assessment.psi !== null) psi.set(psiKey(m.model, f.feature, w.start), w.assessment.psi);
  }
  return { psi, sqlSeconds: sqlMs / 1000, drift };
}

/**
 * The hand-written query: one scan for every model, feature and window; edges and reference counts
 * joined from the baselines table (one baseline per key: FINAL); mlwarden's PSI definition (bins with
 * mass on either side, each side's proportions floored at ε and renormalised, missing values a bin
 * of their own, after the numeric bins) in SQL. Bins are 1-based here: value bins 1..k+1, missing k+2.
 */
function handWrittenSql(): string {
  return `WITH b AS (
  SELECT model, feature, edges,
    arrayConcat(JSONExtract(baseline, 'counts', 'Array(Float64)'), [JSONExtractFloat(baseline, 'missing')]) AS ref
  FROM ${DATABASE}.baselines FINAL WHERE kind = 'numeric'
),
binned AS (
  SELECT model, feature, toStartOfInterval(ts, INTERVAL 1 HOUR) AS w,
    if(value IS NULL OR isNaN(assumeNotNull(value)), length(edges) + 2, arrayCount(e -> e <= assumeNotNull(value), edges) + 1) AS bin,
    count() AS n
  FROM ${TABLE} AS f INNER JOIN b USING (model, feature)
  WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND length(hist_counts) = 0
  GROUP BY model, feature, w, bin
),
windows AS (
  SELECT model, feature, w, sumMap([bin], [n]) AS sm FROM binned GROUP BY model, feature, w
),
aligned AS (
  SELECT model, feature, w, ref, arrayMap(i -> toFloat64(sm.2[indexOf(sm.1, i)]), arrayEnumerate(ref)) AS cur
  FROM windows INNER JOIN b USING (model, feature)
)
SELECT model, feature, toUnixTimestamp(w) * 1000 AS window_ms,
  arrayMap((r, c) -> r > 0 OR c > 0, ref, cur) AS keep,
  arrayFilter((r, k) -> k, ref, keep) AS rk, arrayFilter((c, k) -> k, cur, keep) AS ck,
  arrayMap(r -> greatest(r / arraySum(rk), {eps:Float64}), rk) AS rf, arrayMap(c -> greatest(c / arraySum(ck), {eps:Float64}), ck) AS cf,
  arrayMap(r -> r / arraySum(rf), rf) AS rp, arrayMap(c -> c / arraySum(cf), cf) AS cp,
  arraySum((r, c) -> (c - r) * log(c / r), rp, cp) AS psi
FROM aligned`;
}

async function handWrittenPath(client: ClickHouseClient, from: number, to: number): Promise<PathOutput> {
  const result = await client.query({ query: handWrittenSql(), query_params: { from, to, eps: DEFAULT_EPSILON_FLOOR }, format: 'JSONEachRow' });
  const psi: PsiMap = new Map();
  for (const r of await result.json<{ model: string; feature: string; window_ms: number; psi: number }>()) psi.set(psiKey(r.model, r.feature, r.window_ms), r.psi);
  return { psi };
}

/** Plain JS: stream every raw row out, bin by counting edges ≤ value, PSI from the formula. */
async function plainJsPath(session: Session, baselines: readonly StoredBaseline[], from: number, to: number): Promise<PathOutput & { rows: number; bytes: number }> {
  interface Series { edges: number[]; ref: number[]; windows: Map<number, number[]> }
  const series = new Map<string, Series>();
  for (const b of baselines) {
    if (b.baseline.kind !== 'numeric') continue;
    series.set(`${b.model}\u0000${b.feature}`, { edges: b.baseline.edges, ref: [...b.baseline.counts, b.baseline.missing], windows: new Map() });
  }
  let rows = 0;
  let bytes = 0;
  const stream = session.queryStreamBind(
    `SELECT model, feature, toUnixTimestamp64Milli(ts) AS t, value FROM ${TABLE}
WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND length(hist_counts) = 0`,
    { from, to },
    { format: 'JSONCompactEachRow' },
  );
  for await (const chunk of stream) {
    bytes += chunk.numBytes;
    const text = chunk.text();
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const [model, feature, t, value] = JSON.parse(text.slice(at, end)) as [string, string, number, number | null];
      at = end + 1;
      rows++;
      const s = series.get(`${model}\u0000${feature}`);
      if (!s) continue;
      const windowStart = t - (t % WINDOW_MS);
      let counts = s.windows.get(windowStart);
      if (!counts) s.windows.set(windowStart, (counts = new Array<number>(s.ref.length).fill(0)));
      let bin = 0;
      if (value === null || Number.isNaN(value)) bin = s.edges.length + 1;
      else for (const e of s.edges) if (e <= value) bin++;
      counts[bin]! += 1;
    }
  }
  const psi: PsiMap = new Map();
  for (const [key, s] of series) {
    const [model, feature] = key.split('\u0000') as [string, string];
    for (const [windowStart, cur] of s.windows) psi.set(psiKey(model, feature, windowStart), referencePsi(s.ref, cur, DEFAULT_EPSILON_FLOOR));
  }
  return { psi, rows, bytes };
}

/** PSI = Σ (cur − ref)·ln(cur/ref) over bins with mass on either side; proportions floored at ε, renormalised. */
function referencePsi(refCounts: readonly number[], curCounts: readonly number[], eps: number): number {
  const keep = refCounts.map((r, i) => r > 0 || (curCounts[i] as number) > 0);
  const side = (counts: readonly number[]) => {
    const kept = counts.filter((_, i) => keep[i]);
    const n = kept.reduce((a, c) => a + c, 0);
    const floored = kept.map((c) => Math.max(c / n, eps));
    const sum = floored.reduce((a, p) => a + p, 0);
    return floored.map((p) => p / sum);
  };
  const ref = side(refCounts);
  const cur = side(curCounts);
  let psi = 0;
  for (let i = 0; i < ref.length; i++) psi += ((cur[i] as number) - (ref[i] as number)) * Math.log((cur[i] as number) / (ref[i] as number));
  return psi;
}

// ---------------------------------------------------------------------------------------------
// Where mlwarden's time goes, and a prototype of the suggested WindowBinner change. The binning SQL
// below is WindowBinner's (src/store/drift/window-bins.ts) with its two suspects made switchable:
//   filter: 'has' = WindowBinner's `has({numeric:Array(String)}, feature)`; 'in' = `feature IN {numeric:Array(String)}`.
//   edges:  'map' = WindowBinner's `{edges:Map(String, Array(Float64))}[feature]` per row; 'join' = the
//           edges from a JOIN against a table built from the same parameters (arrayZip of names and edges).
// The prototype reader (the suggested change: filter 'in', edges unchanged) runs the same two queries
// per model and folds rows into WindowBins exactly as WindowBinner.bins does (numeric features only,
// which is all this data has).

type Filter = 'has' | 'in';

const WINDOW_SQL = 'toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({window_s:UInt32}))) * 1000';
const BIN_SQL = (edges: string) =>
  `if(value IS NULL OR isNaN(assumeNotNull(value)), toInt64(-1), toInt64(arrayCount(e -> e <= assumeNotNull(value), ${edges}))) AS bin`;
const FEATURE_FILTER: Record<Filter, string> = { has: 'has({numeric:Array(String)}, feature)', in: 'feature IN {numeric:Array(String)}' };
const scopeSql = (filter: Filter) => `model = {model:String} AND ({version:String} = '' OR version = {version:String})
  AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND ${FEATURE_FILTER[filter]}`;
const EDGES_TABLE_SQL = `(SELECT p.1 AS feature, p.2 AS edges FROM (SELECT arrayJoin(arrayZip({numeric:Array(String)}, {edge_list:Array(Array(Float64))})) AS p))`;

function numericSql(filter: Filter, edges: 'map' | 'join'): string {
  return `SELECT feature, ${WINDOW_SQL} AS window_ms, ${BIN_SQL(edges === 'map' ? '{edges:Map(String, Array(Float64))}[feature]' : 'edges')}, toFloat64(count()) AS n
FROM ${TABLE}${edges === 'join' ? ` INNER JOIN ${EDGES_TABLE_SQL} AS b USING (feature)` : ''}
WHERE ${scopeSql(filter)} AND length(hist_counts) = 0
GROUP BY feature, window_ms, bin`;
}

function histogramSql(filter: Filter): string {
  return `SELECT feature, ${WINDOW_SQL} AS window_ms,
  sumForEachIf(hist_counts, hist_edges = {edges:Map(String, Array(Float64))}[feature]) AS counts,
  toFloat64(sumIf(hist_missing, hist_edges = {edges:Map(String, Array(Float64))}[feature])) AS missing,
  toFloat64(countIf(hist_edges != {edges:Map(String, Array(Float64))}[feature])) AS mismatched
FROM ${TABLE}
WHERE ${scopeSql(filter)} AND length(hist_counts) > 0
GROUP BY feature, window_ms`;
}

/** One query for every model: the edges keyed by model and feature, as a Map or a joined table. */
function allModelsSql(edges: 'map' | 'join'): string {
  const join = `INNER JOIN (SELECT p.1 AS model, p.2 AS feature, p.3 AS edges FROM (SELECT arrayJoin(arrayZip({models:Array(String)}, {features:Array(String)}, {edge_list:Array(Array(Float64))})) AS p)) AS b USING (model, feature)`;
  return `SELECT model, feature, ${WINDOW_SQL} AS window_ms, ${BIN_SQL(edges === 'map' ? "{edges:Map(String, Array(Float64))}[concat(model, '/', feature)]" : 'edges')}, toFloat64(count()) AS n
FROM ${TABLE}${edges === 'join' ? ` ${join}` : ''}
WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND length(hist_counts) = 0
GROUP BY model, feature, window_ms, bin`;
}

/** The parameters WindowBinner sends for one model (plus edge_list for the JOIN variant). */
function modelParams(q: WindowBinsQuery) {
  const numeric = q.features.flatMap((f) => (f.kind === 'numeric' ? [f] : []));
  if (numeric.length !== q.features.length) throw new Error('prototype binner: numeric features only');
  return {
    model: q.model,
    version: q.version ?? '',
    from: q.from,
    to: q.to,
    window_s: Math.round(q.windowMs / 1000),
    numeric: numeric.map((f) => f.feature),
    edges: Object.fromEntries(numeric.map((f) => [f.feature, f.edges])),
    edge_list: numeric.map((f) => f.edges),
  };
}

async function queryRows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

function prototypeReader(client: ClickHouseClient): (q: WindowBinsQuery) => Promise<WindowBins[]> {
  return async (q) => {
    const params = modelParams(q);
    const out = new Map<string, WindowBins>();
    const width = new Map(params.edge_list.map((edges, i) => [params.numeric[i] as string, edges.length + 1]));
    const slot = (feature: string, windowStart: number): WindowBins => {
      const key = `${feature}\u0000${windowStart}`;
      let bins = out.get(key);
      if (!bins) {
        bins = { feature, windowStart, counts: new Array<number>(width.get(feature) as number).fill(0), missing: 0, unseen: [], unseenTotal: 0, mismatchedHistograms: 0 };
        out.set(key, bins);
      }
      return bins;
    };
    for (const row of await queryRows<{ feature: string; window_ms: number; bin: number; n: number }>(client, numericSql('in', 'map'), params)) {
      const bins = slot(row.feature, row.window_ms);
      if (row.bin < 0) bins.missing += row.n;
      else bins.counts[row.bin] = (bins.counts[row.bin] ?? 0) + row.n;
    }
    for (const row of await queryRows<{ feature: string; window_ms: number; counts: number[]; missing: number; mismatched: number }>(client, histogramSql('in'), params)) {
      const bins = slot(row.feature, row.window_ms);
      row.counts.forEach((n, i) => (bins.counts[i] = (bins.counts[i] ?? 0) + n));
      bins.missing += row.missing;
      bins.mismatchedHistograms += row.mismatched;
    }
    return [...out.values()].sort((a, b) => a.feature.localeCompare(b.feature) || a.windowStart - b.windowStart);
  };
}

/** The binning SQL alone (no JS scoring): per model as the DriftLoop queries, or one query for all. Returns the observations binned. */
async function sqlVariant(client: ClickHouseClient, queries: readonly WindowBinsQuery[], sql: string, scope: 'per model' | 'all models'): Promise<PathOutput> {
  const count = (rows: Array<{ n?: number }>) => rows.reduce((sum, r) => sum + (r.n ?? 0), 0);
  let binned = 0;
  if (scope === 'per model') {
    for (const q of queries) binned += count(await queryRows<{ n?: number }>(client, sql, modelParams(q)));
  } else {
    const all = queries.flatMap((q) => {
      const p = modelParams(q);
      return p.numeric.map((feature, i) => ({ model: q.model, feature, edges: p.edge_list[i] as number[] }));
    });
    const first = queries[0] as WindowBinsQuery;
    binned = count(await queryRows<{ n?: number }>(client, sql, {
      from: first.from,
      to: first.to,
      window_s: Math.round(first.windowMs / 1000),
      models: all.map((e) => e.model),
      features: all.map((e) => e.feature),
      edge_list: all.map((e) => e.edges),
      edges: Object.fromEntries(all.map((e) => [`${e.model}/${e.feature}`, e.edges])),
    }));
  }
  return { binned };
}

// ---------------------------------------------------------------------------------------------
// Measurement.

interface Comparison {
  compared: number;
  /** Keys present on one side only. */
  unmatched: number;
  maxAbsDiff: number;
  worst?: string;
  equal: boolean;
}

function compare(expected: PsiMap, got: PsiMap): Comparison {
  let maxAbsDiff = 0;
  let worst: string | undefined;
  let unmatched = [...got.keys()].filter((k) => !expected.has(k)).length;
  for (const [key, value] of expected) {
    const other = got.get(key);
    if (other === undefined) {
      unmatched++;
      continue;
    }
    const diff = Math.abs(value - other);
    if (!(diff <= maxAbsDiff)) {
      maxAbsDiff = diff;
      worst = key.replaceAll('\u0000', ' ');
    }
  }
  return { compared: expected.size, unmatched, maxAbsDiff, ...(worst ? { worst } : {}), equal: unmatched === 0 && maxAbsDiff <= TOLERANCE };
}

interface Run {
  seconds: number;
  /** CPU of every thread of this process (JS, GC and the chDB engine). */
  cpuSeconds: number;
  sqlSeconds?: number;
}

interface Path {
  name: string;
  what: string;
  /** SQL-only variants: the observations they must bin. */
  binsAll?: number;
  run(): Promise<PathOutput>;
}

async function measure(path: Path): Promise<{ run: Run; output: PathOutput }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const output = await path.run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { run: { seconds, cpuSeconds: (used.user + used.system) / 1e6, ...(output.sqlSeconds === undefined ? {} : { sqlSeconds: output.sqlSeconds }) }, output };
}

const best = (runs: readonly Run[]): Run => runs.reduce((b, r) => (r.seconds < b.seconds ? r : b));
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function driftSummary(drift: readonly ModelDrift[]) {
  const windows = drift.flatMap((m) => m.features.flatMap((f) => f.windows));
  return {
    featureWindows: windows.length,
    drifting: windows.filter((w) => w.assessment.decision.status === 'drifting').length,
    insufficient: windows.filter((w) => w.assessment.decision.status === 'insufficient').length,
    featuresDrifting: drift.reduce((sum, m) => sum + m.features.filter((f) => f.drifting).length, 0),
    openEpisodes: drift.reduce((sum, m) => sum + m.openEpisodes.length, 0),
  };
}

async function run(log: (line: string) => void): Promise<BenchReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-bench-psi-'));
  const store = await openStore({ dataDir, database: DATABASE, retentionDays: 30 });
  let session: Session | undefined;
  try {
    await migrate(store.client, { database: DATABASE, retentionDays: 30 });
    const to = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const from = to - DAY_MS;
    let started = performance.now();
    await insertObservations(store, from);
    log(`inserted ${OBSERVATIONS.toLocaleString('en-US')} observations (${MODELS} models × ${FEATURES} features, ${WINDOWS} hourly windows) ` +
      `with INSERT … SELECT FROM numbers() + OPTIMIZE FINAL in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    const baselines = await registerBaselines(store, to);
    log(`registered ${baselines.length} numeric baselines (${BINS} quantile bins from ${REFERENCE_PER_SERIES.toLocaleString('en-US')} reference values each) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The same data directory: chDB shares the engine with the client's connection.
    session = new Session(dataDir);
    const streamSession = session;

    const client = store.client;
    const binner = new WindowBinner(client, DATABASE);
    // What evaluateModelDrift asks WindowBinner for, per model (for the SQL-only variants).
    const queries: WindowBinsQuery[] = [...new Set(baselines.map((b) => b.model))].sort().map((model) => ({
      model,
      features: baselines.filter((b) => b.model === model).flatMap((b) => (b.baseline.kind === 'numeric' ? [{ feature: b.feature, kind: 'numeric' as const, edges: b.baseline.edges }] : [])),
      from,
      to,
      windowMs: WINDOW_MS,
    }));
    const endToEnd: Path[] = [
      { name: 'mlwarden', what: 'BaselineStore.list + evaluateModelDrift × 10 (WindowBinner)', run: () => driftPath(client, to, (q) => binner.bins(q)) },
      { name: 'hand-written', what: 'one query, JOIN baselines table, PSI in SQL', run: () => handWrittenPath(client, from, to) },
      { name: 'plain JS', what: 'stream all rows (JSONCompactEachRow), bin + PSI in JS', run: () => plainJsPath(streamSession, baselines, from, to) },
      { name: 'proposed: IN', what: 'mlwarden, WindowBinner filter has() → IN', run: () => driftPath(client, to, prototypeReader(client)) },
    ];
    const sqlOnly: Path[] = [
      { name: 'sql: has + Map', what: "WindowBinner's numeric query × 10", binsAll: OBSERVATIONS, run: () => sqlVariant(client, queries, numericSql('has', 'map'), 'per model') },
      { name: 'sql: histogram', what: "WindowBinner's histogram query × 10", binsAll: 0, run: () => sqlVariant(client, queries, histogramSql('has'), 'per model') },
      { name: 'sql: IN + Map', what: 'numeric query × 10, filter IN (proposed)', binsAll: OBSERVATIONS, run: () => sqlVariant(client, queries, numericSql('in', 'map'), 'per model') },
      { name: 'sql: IN + JOIN', what: 'numeric query × 10, IN, edges joined not Map', binsAll: OBSERVATIONS, run: () => sqlVariant(client, queries, numericSql('in', 'join'), 'per model') },
      { name: 'sql: 1 query, Map', what: 'one query for all models, Map[model/feature]', binsAll: OBSERVATIONS, run: () => sqlVariant(client, queries, allModelsSql('map'), 'all models') },
      { name: 'sql: 1 query, JOIN', what: 'one query for all models, edges joined', binsAll: OBSERVATIONS, run: () => sqlVariant(client, queries, allModelsSql('join'), 'all models') },
    ];
    const paths = [...endToEnd, ...sqlOnly];
    const runs = new Map<string, Run[]>(paths.map((p) => [p.name, []]));
    const outputs = new Map<string, PathOutput>();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so no path always runs first (cold caches) or right after the heavy one.
      for (let i = 0; i < paths.length; i++) {
        const path = paths[(i + round) % paths.length] as Path;
        const { run: r, output } = await measure(path);
        runs.get(path.name)?.push(r);
        outputs.set(path.name, output);
        if (path.binsAll !== undefined && output.binned !== path.binsAll) {
          throw new Error(`${path.name}: binned ${output.binned} observations, expected ${path.binsAll}`);
        }
      }
      log(`round ${round + 1}: ${endToEnd.map((p) => `${p.name} ${(runs.get(p.name)?.[round] as Run).seconds.toFixed(2)} s`).join(', ')}`);
    }

    const reference = outputs.get('mlwarden') as PathOutput;
    const expected = reference.psi as PsiMap;
    const checks = Object.fromEntries(endToEnd.slice(1).map((p) => [p.name, compare(expected, (outputs.get(p.name) as PathOutput).psi ?? new Map())]));
    for (const [name, c] of Object.entries(checks)) {
      log(`verify ${name} vs mlwarden: ${c.compared} feature-windows, max |ΔPSI| ${c.maxAbsDiff.toExponential(2)}${c.unmatched ? `, ${c.unmatched} unmatched` : ''} → ${c.equal ? 'equal' : 'DIFFERENT'} to ${TOLERANCE}`);
    }
    const verified = expected.size === SERIES * WINDOWS && Object.values(checks).every((c) => c.equal);
    const drift = driftSummary(reference.drift ?? []);

    const bestOf = (name: string) => best(runs.get(name) as Run[]);
    const minCpu = (name: string) => Math.min(...(runs.get(name) as Run[]).map((r) => r.cpuSeconds));
    const ratioOf = (name: string) => bestOf(name).seconds / bestOf('hand-written').seconds;
    const cpuRatioOf = (name: string) => minCpu(name) / minCpu('hand-written');
    const ratio = ratioOf('mlwarden');
    const roundRatios = (runs.get('mlwarden') as Run[]).map((r, i) => r.seconds / ((runs.get('hand-written') as Run[])[i] as Run).seconds);
    const ratioJs = bestOf('mlwarden').seconds / bestOf('plain JS').seconds;

    const table = paths.map((p) => {
      const list = runs.get(p.name) as Run[];
      const b = best(list);
      const sqlSeconds = p.binsAll !== undefined ? b.seconds : b.sqlSeconds;
      return {
        path: p.name,
        's (best)': b.seconds,
        'CPU s': minCpu(p.name),
        'SQL s': sqlSeconds ?? '',
        'JS s': b.sqlSeconds === undefined ? '' : b.seconds - b.sqlSeconds,
        '÷ hand-written': ratioOf(p.name),
        rounds: list.map((r) => r.seconds.toFixed(2)).join(' / '),
        what: p.what,
      };
    });
    const notes = [
      `mlwarden / hand-written: ${ratio.toFixed(3)} wall (best of ${ROUNDS}; per round ${roundRatios.map((r) => r.toFixed(2)).join(', ')}, median ${median(roundRatios).toFixed(2)}), ` +
        `${cpuRatioOf('mlwarden').toFixed(3)} CPU; proposed: IN / hand-written: ${ratioOf('proposed: IN').toFixed(3)} wall, ${cpuRatioOf('proposed: IN').toFixed(3)} CPU`,
      `mlwarden / plain JS: ${ratioJs.toFixed(3)} (plain JS streamed all ${OBSERVATIONS.toLocaleString('en-US')} rows out of chDB, no sampling)`,
      `PSI verified on all ${expected.size.toLocaleString('en-US')} feature-windows: ${verified ? 'hand-written SQL, plain JS and proposed: IN equal mlwarden' : 'MISMATCH'} to ${TOLERANCE}; ` +
        `drift found: ${drift.drifting} drifting feature-windows, ${drift.featuresDrifting} features drifting, ${drift.openEpisodes} open episodes (65 features drift by construction)`,
      'sql: rows time the binning SQL alone (no JS); CPU counts every thread of the process (JS, GC, chDB engine) and is less exposed to other load on the machine than wall time',
    ];
    return {
      table,
      notes,
      targets: [
        { metric: 'hand-written seconds / mlwarden seconds (mlwarden within 1.5×)', value: 1 / ratio, atLeast: 1 / TARGET_RATIO, met: ratio <= TARGET_RATIO },
        { metric: 'PSI of every path equals mlwarden to 1e-9 (1 = yes)', value: verified ? 1 : 0, atLeast: 1, met: verified },
      ],
      details: {
        observations: OBSERVATIONS,
        models: MODELS,
        features: FEATURES,
        windows: WINDOWS,
        windowMs: WINDOW_MS,
        bins: BINS,
        referencePerSeries: REFERENCE_PER_SERIES,
        rounds: ROUNDS,
        ratio,
        roundRatios,
        medianRoundRatio: median(roundRatios),
        cpuRatio: cpuRatioOf('mlwarden'),
        ratioPlainJs: ratioJs,
        target: TARGET_RATIO,
        targetMet: ratio <= TARGET_RATIO,
        ratios: Object.fromEntries(paths.map((p) => [p.name, ratioOf(p.name)])),
        cpuRatios: Object.fromEntries(paths.map((p) => [p.name, cpuRatioOf(p.name)])),
        runs: Object.fromEntries(runs),
        verification: { tolerance: TOLERANCE, against: 'mlwarden', featureWindows: expected.size, checks },
        drift,
      },
    };
  } finally {
    session?.close();
    await store.close();
    await drainPending();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const psiBench: BenchModule = {
  name: 'psi',
  description: `PSI, ${FEATURES} features × ${MODELS} models over ${OBSERVATIONS.toLocaleString('en-US')} observations: mlwarden drift path vs one hand-written ClickHouse query vs plain JS; target ratio <= ${TARGET_RATIO}`,
  run,
};
