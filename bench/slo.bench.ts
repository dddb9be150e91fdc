/**
 * SLO evaluation at scale: 1,000 SLOs (200 models × 5: availability per model, per model and version,
 * per model on /predict, per model's stable version over 28 days, latency per model with a threshold
 * by model class) over 30 days of per-minute serving telemetry generated inside ClickHouse
 * (INSERT … SELECT FROM numbers() into `requests`; the materialized view fills the `requests_1m` rollup).
 *
 * Measured in the same run, same engine, interleaved rounds (best of each compared):
 * - mlwarden: one full evaluation cycle, SloEvaluationLoop.runOnce wired exactly as src/main.ts wires it
 *   (evaluateSlos → windowCountsBatch: a ClickHouse read per batch, then the JS assessment of every
 *   SLO and group, and the /metrics gauges). The alert engine (onCycle) is not part of it.
 * - baseline: ONE hand-written ClickHouse query returning the same good/total per SLO, group and window.
 * Targets: cycle time within 2× of the hand-written query, and under the evaluation interval (30 s by
 * default). Every SLO's numbers are checked against the hand-written query's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { drainPending } from 'chdb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { evaluateSlos, SloEvaluationLoop, SloMetrics, type SloEvaluation } from '../src/analysis/index.js';
import { loadConfig } from '../src/config.js';
import { evaluationPlan, loadSloSpecs, type EventCounts, type Slo } from '../src/domain/slo/index.js';
import { ddlContext, storeConfig } from '../src/main.js';
import { migrate, openStore, qualified, windowCounts, windowCountsBatch, type StoreClient } from '../src/store/index.js';
import type { BenchModule, BenchReport, BenchTarget } from './run.js';

const MODELS = Number(process.env.BENCH_SLO_MODELS ?? 200);
const DAYS = 30;
/** Interleaved rounds after one warm-up of each path; the best of each is compared. */
const ROUNDS = Number(process.env.BENCH_SLO_ROUNDS ?? 3);
const TARGET_RATIO = 2;
/** SLOs also evaluated one query each, to show what batching saves (extrapolated to all SLOs). */
const SINGLE_SAMPLE = 25;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, Number.POSITIVE_INFINITY];
/** Model classes: typical median latency and the latency SLO threshold teams set for it. */
const CLASSES = [
  { name: 'tabular', medianMs: 12, thresholdMs: 100 },
  { name: 'ranker', medianMs: 60, thresholdMs: 250 },
  { name: 'llm', medianMs: 700, thresholdMs: 2500 },
] as const;

// ---------------------------------------------------------------------------------------------
// The fleet: models, their serving series, and their SLOs.

interface Series {
  model: string;
  version: string;
  endpoint: string;
  namespace: string;
  /** Requests per minute (mean), share of errors, whether an incident runs over the last 90 minutes. */
  rate: number;
  errorRate: number;
  incident: boolean;
  medianMs: number;
}

interface Model {
  name: string;
  cls: (typeof CLASSES)[number];
}

/** Deterministic pseudo-random in [0, 1) from integers (so the fleet is the same every run). */
const hash01 = (...xs: number[]) => {
  let h = 2166136261;
  for (const x of xs) h = Math.imul(h ^ x, 16777619) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
  return ((h ^ (h >>> 13)) >>> 0) / 4294967296;
};

function fleet(count: number): { models: Model[]; series: Series[] } {
  const models: Model[] = [];
  const series: Series[] = [];
  for (let m = 0; m < count; m++) {
    const cls = CLASSES[m % CLASSES.length] as (typeof CLASSES)[number];
    const name = `${cls.name}-${String(m).padStart(3, '0')}`;
    models.push({ name, cls });
    const namespace = `team-${m % 12}`;
    const rate = 20 + 380 * hash01(m, 1) ** 2;
    const errorRate = 0.00002 + 0.0004 * hash01(m, 2) ** 2;
    const incident = m % 40 === 7;
    const versions = m % 3 === 0 ? [['v1', 0.9], ['v2-canary', 0.1]] as const : [['v1', 1]] as const;
    const endpoints = m % 2 === 0 ? [['/predict', 0.8], ['/explain', 0.2]] as const : [['/predict', 1]] as const;
    for (const [version, vShare] of versions) {
      for (const [endpoint, eShare] of endpoints) {
        series.push({
          model: name, version, endpoint, namespace, rate: rate * vShare * eShare,
          errorRate: version === 'v2-canary' ? errorRate * 5 : errorRate, incident, medianMs: cls.medianMs * (endpoint === '/explain' ? 1.5 : 1),
        });
      }
    }
  }
  return { models, series };
}

function sloSpecs(models: readonly Model[]): string {
  const doc = (name: string, body: string) => `apiVersion: mlwarden.dev/v1\nkind: SLO\nmetadata: { name: ${name} }\nspec:\n${body}`;
  return models
    .flatMap((m) => [
      doc(`${m.name}-availability`, `  objective: 99.9\n  window: 30d\n  sli: { type: availability, model: ${m.name} }\n  alerting: { min_events: 100 }\n`),
      doc(`${m.name}-availability-by-version`, `  objective: 99.5\n  window: 30d\n  sli: { type: availability, model: ${m.name} }\n  group_by: [version]\n  alerting: { min_events: 100 }\n`),
      doc(`${m.name}-predict-availability`, `  objective: 99.95\n  window: 30d\n  sli: { type: availability, model: ${m.name}, endpoint: /predict }\n  alerting: { min_events: 100 }\n`),
      doc(`${m.name}-stable-availability`, `  objective: 99\n  window: 28d\n  sli: { type: availability, model: ${m.name}, version: v1 }\n  alerting: { min_events: 100 }\n`),
      doc(`${m.name}-latency`, `  objective: 99\n  window: 30d\n  sli: { type: latency, model: ${m.name}, threshold_ms: ${m.cls.thresholdMs} }\n  alerting: { min_events: 100 }\n`),
    ])
    .join('---\n');
}

// ---------------------------------------------------------------------------------------------
// Data: 30 days of one pre-aggregated row (count, errors, latency buckets) per series and minute.

async function generate(client: ClickHouseClient, database: string, series: readonly Series[], end: number): Promise<number> {
  const minutes = DAYS * 24 * 60;
  // Per-row pseudo-random numbers from the row number; latency buckets from a log-logistic spread around the series' median.
  const u = (k: number) => `(cityHash64(number, ${k}) % 1000000) / 1000000.`;
  const query = `INSERT INTO ${qualified({ database }, 'requests')}
  (ts, model, version, endpoint, namespace, status, count, errors, latency_ms, latency_sum_ms, bucket_bounds_ms, bucket_counts)
SELECT ts, model, version, endpoint, namespace, 0, c, e, NULL, toFloat64(c) * median, bounds,
  arrayPopFront(arrayDifference(arrayPushFront(
    arrayMap(b -> if(isFinite(b), toUInt64(round(c / (1 + pow(b / median, -4.5)))), c), bounds), toUInt64(0))))
FROM (
  SELECT number % {n:UInt32} + 1 AS s, intDiv(number, {n:UInt32}) AS age,
    toDateTime64({end:UInt32} - (age + 1) * 60 + ${u(1)} * 59, 3, 'UTC') AS ts,
    {models:Array(String)}[s] AS model, {versions:Array(String)}[s] AS version,
    {endpoints:Array(String)}[s] AS endpoint, {namespaces:Array(String)}[s] AS namespace,
    toUInt64(floor({rates:Array(Float64)}[s] * (1 + 0.5 * sin(2 * pi() * (age / 1440 + s / 17))) * (0.8 + 0.4 * ${u(2)}) + ${u(3)})) AS c,
    if({incidents:Array(UInt8)}[s] = 1 AND age < 90, 0.04, {error_rates:Array(Float64)}[s]) AS p,
    toUInt64(floor(c * p + ${u(4)})) AS e,
    {medians:Array(Float64)}[s] * (0.8 + 0.4 * ${u(5)}) AS median,
    [${BOUNDS.map((b) => (Number.isFinite(b) ? `${b}.` : 'inf')).join(', ')}] AS bounds
  FROM numbers({rows:UInt64})
)`;
  await client.command({
    query,
    query_params: {
      n: series.length,
      rows: series.length * minutes,
      end: end / 1000,
      models: series.map((s) => s.model),
      versions: series.map((s) => s.version),
      endpoints: series.map((s) => s.endpoint),
      namespaces: series.map((s) => s.namespace),
      rates: series.map((s) => s.rate),
      error_rates: series.map((s) => s.errorRate),
      incidents: series.map((s) => (s.incident ? 1 : 0)),
      medians: series.map((s) => s.medianMs),
    },
  });
  return series.length * minutes;
}

// ---------------------------------------------------------------------------------------------
// The baseline: one hand-written query, good/total per SLO, group and window.

interface BaselineRow {
  name: string;
  grp: string;
  good: number[];
  total: number[];
}

function baselineQuery(database: string, slos: readonly Slo[], models: readonly Model[], end: number): { query: string; params: Record<string, unknown> } {
  const plans = slos.map((s) => evaluationPlan(s, end));
  const starts = [...new Set(plans.flatMap((p) => p.starts))].sort((a, b) => a - b);
  const earliest = starts[0] as number;
  const params: Record<string, unknown> = {
    earliest_s: earliest / 1000,
    end_s: end / 1000,
    earliest: (earliest / 1000).toFixed(3),
    end: (end / 1000).toFixed(3),
    lat_models: models.map((m) => m.name),
    lat_thresholds: models.map((m) => m.cls.thresholdMs),
    names: slos.map((s) => s.name),
    kinds: slos.map((s) => s.sli.type),
    models: slos.map((s) => ('model' in s.sli ? (s.sli.model ?? '') : '')),
    versions: slos.map((s) => ('version' in s.sli ? (s.sli.version ?? '') : '')),
    endpoints: slos.map((s) => ('endpoint' in s.sli ? (s.sli.endpoint ?? '') : '')),
    by_version: slos.map((s) => (s.groupBy.includes('version') ? 1 : 0)),
    idx: plans.map((p) => p.starts.map((s) => starts.indexOf(s) + 1)),
  };
  starts.forEach((s, i) => {
    params[`w${i}`] = s / 1000;
    params[`x${i}`] = (s / 1000).toFixed(3);
  });
  const perStart = (expr: (i: number) => string) => `[${starts.map((_, i) => expr(i)).join(', ')}]`;
  const query = `
WITH
  avail AS (
    SELECT 'availability' AS kind, model, version, endpoint,
      ${perStart((i) => `toFloat64(sumIf(count - errors, minute >= {w${i}:DateTime}))`)} AS good,
      ${perStart((i) => `toFloat64(sumIf(count, minute >= {w${i}:DateTime}))`)} AS total
    FROM ${qualified({ database }, 'requests_1m')}
    WHERE minute >= {earliest_s:DateTime} AND minute < {end_s:DateTime}
    GROUP BY model, version, endpoint
  ),
  lat AS (
    SELECT 'latency' AS kind, model, '' AS version, '' AS endpoint,
      ${perStart((i) => `sumIf(g, ts >= {x${i}:DateTime64(3)})`)} AS good,
      ${perStart((i) => `toFloat64(sumIf(n, ts >= {x${i}:DateTime64(3)}))`)} AS total
    FROM (
      SELECT ts, model, transform(toString(model), {lat_models:Array(String)}, {lat_thresholds:Array(Float64)}, 0.) AS threshold,
        if(latency_ms IS NOT NULL, toFloat64(latency_ms <= threshold),
          arraySum(arrayMap((upper, k, lower) -> multiIf(upper <= threshold, toFloat64(k),
            lower < threshold AND isFinite(upper), k * (threshold - lower) / (upper - lower), 0.),
          bucket_bounds_ms, bucket_counts, arrayPushFront(arrayPopBack(bucket_bounds_ms), 0.)))) AS g,
        if(latency_ms IS NOT NULL OR length(bucket_counts) > 0, count, 0) AS n
      FROM ${qualified({ database }, 'requests')}
      WHERE ts >= {earliest:DateTime64(3)} AND ts < {end:DateTime64(3)} AND model IN {lat_models:Array(String)}
    )
    GROUP BY model
  ),
  slos AS (
    SELECT s.1 AS name, s.2 AS kind, s.3 AS model, s.4 AS version, s.5 AS endpoint, s.6 AS by_version, s.7 AS idx
    FROM (SELECT arrayJoin(arrayZip({names:Array(String)}, {kinds:Array(String)}, {models:Array(String)}, {versions:Array(String)},
      {endpoints:Array(String)}, {by_version:Array(UInt8)}, {idx:Array(Array(UInt16))})) AS s)
  )
SELECT name, grp, arrayMap(i -> good[i], idx) AS good, arrayMap(i -> total[i], idx) AS total
FROM (
  SELECT slos.name AS name, if(slos.by_version = 1, toString(x.version), '') AS grp, any(slos.idx) AS idx,
    sumForEach(x.good) AS good, sumForEach(x.total) AS total
  FROM (SELECT * FROM avail UNION ALL SELECT * FROM lat) AS x
  INNER JOIN slos ON x.kind = slos.kind AND toString(x.model) = slos.model
  WHERE (slos.version = '' OR toString(x.version) = slos.version) AND (slos.endpoint = '' OR toString(x.endpoint) = slos.endpoint)
  GROUP BY name, grp
)`;
  return { query, params };
}

// ---------------------------------------------------------------------------------------------
// Checks: mlwarden's counts against the hand-written query's, every SLO, group and window.

const countsOf = (g: { windows: Array<{ counts: EventCounts }>; period: { counts: EventCounts } }): EventCounts[] => [...g.windows.map((w) => w.counts), g.period.counts];

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function compare(evaluations: ReadonlyMap<string, SloEvaluation>, slos: readonly Slo[], rows: readonly BaselineRow[]): { matching: number; mismatches: string[] } {
  const expected = new Map<string, Map<string, EventCounts[]>>();
  for (const r of rows) {
    const groups = expected.get(r.name) ?? new Map<string, EventCounts[]>();
    groups.set(r.grp, r.good.map((good, i) => ({ good, total: r.total[i] ?? NaN })));
    expected.set(r.name, groups);
  }
  const mismatches: string[] = [];
  for (const slo of slos) {
    const e = evaluations.get(slo.name);
    if (!e) {
      mismatches.push(`${slo.name}: not evaluated`);
      continue;
    }
    const want = expected.get(slo.name) ?? new Map<string, EventCounts[]>();
    const got = new Map<string, EventCounts[]>(slo.groupBy.length === 0 ? [['', countsOf(e.overall)]] : e.groups.map((g) => [g.labels.version ?? '', countsOf(g)]));
    if (slo.groupBy.length === 0 && !want.has('')) want.set('', got.get('')?.map(() => ({ good: 0, total: 0 })) ?? []);
    const problems: string[] = [];
    if ([...want.keys()].sort().join() !== [...got.keys()].sort().join()) problems.push(`groups ${[...got.keys()]} vs ${[...want.keys()]}`);
    for (const [grp, counts] of want) {
      counts.forEach((c, i) => {
        const g = got.get(grp)?.[i];
        if (!g || !close(g.good, c.good) || !close(g.total, c.total)) problems.push(`${grp || 'all'} window ${i}: ${g?.good}/${g?.total} vs ${c.good}/${c.total}`);
      });
    }
    if (problems.length > 0) mismatches.push(`${slo.name}: ${problems.slice(0, 3).join('; ')}`);
  }
  return { matching: slos.length - mismatches.length, mismatches };
}

// ---------------------------------------------------------------------------------------------

/** A client that counts the queries it runs (the cycle's ClickHouse round trips). */
function counting(client: ClickHouseClient): { client: ClickHouseClient; count: () => number } {
  let n = 0;
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (...args: Parameters<ClickHouseClient['query']>) => {
          n++;
          return target.query(...args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return { client: proxy, count: () => n };
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function run(log: (line: string) => void): Promise<BenchReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-bench-slo-'));
  // Retention a little longer than the data, so TTL merges never drop the oldest minutes mid-run.
  const config = loadConfig({ env: { MLWARDEN_DATA_DIR: dataDir, MLWARDEN_RETENTION_DAYS: String(DAYS + 5), MLWARDEN_LOG_LEVEL: 'error' } });
  const database = config.store.database;
  const intervalS = config.slo.evaluation_interval_s;
  let store: StoreClient | undefined;
  try {
    store = await openStore(storeConfig(config));
    await migrate(store.client, ddlContext(config));
    const end = Math.floor(Date.now() / MINUTE) * MINUTE;
    const now = end + 30_000;
    const { models, series } = fleet(MODELS);
    const slos = loadSloSpecs([{ name: 'bench-slos.yaml', text: sloSpecs(models) }], now);

    let started = performance.now();
    const rawRows = await generate(store.client, database, series, end);
    const generateSeconds = seconds(started);
    const sizes = await (
      await store.client.query({
        query: `SELECT table, sum(rows) AS rows, count() AS parts FROM system.parts WHERE database = {db:String} AND active AND table IN ('requests', 'requests_1m') GROUP BY table`,
        query_params: { db: database },
        format: 'JSONEachRow',
      })
    ).json<{ table: string; rows: number; parts: number }>();
    const rollupRows = Number(sizes.find((s) => s.table === 'requests_1m')?.rows ?? 0);
    log(`${models.length} models, ${series.length} series, ${slos.length} SLOs; generated ${rawRows.toLocaleString('en-US')} request rows (${DAYS} days per minute), ` +
      `${rollupRows.toLocaleString('en-US')} rollup rows, in ${generateSeconds.toFixed(1)} s`);

    // mlwarden's cycle, wired as src/main.ts wires the loop.
    const counted = counting(store.client);
    const registry = new Registry();
    const loop = new SloEvaluationLoop({
      slos: () => slos,
      evaluate: (list, at) => evaluateSlos((queries) => windowCountsBatch(counted.client, database, queries), list, at),
      metrics: new SloMetrics(registry),
      logger: pino({ level: 'silent' }),
      intervalMs: intervalS * 1000,
      now: () => now,
    });
    const cycle = async () => {
      const before = counted.count();
      const t0 = performance.now();
      const done = await loop.runOnce(now);
      return { seconds: seconds(t0), evaluated: done.length, queries: counted.count() - before };
    };
    const { query, params } = baselineQuery(database, slos, models, end);
    let baselineRows: BaselineRow[] = [];
    const baseline = async () => {
      const t0 = performance.now();
      baselineRows = await (await store!.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<BaselineRow>();
      return seconds(t0);
    };

    const warm = { cycle: await cycle(), baseline: await baseline() };
    log(`warm-up: cycle ${warm.cycle.seconds.toFixed(2)} s (${warm.cycle.queries} queries, ${warm.cycle.evaluated} evaluated), hand-written query ${warm.baseline.toFixed(2)} s`);
    const cycles: number[] = [];
    const baselines: number[] = [];
    let queries = warm.cycle.queries;
    let evaluated = warm.cycle.evaluated;
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which path goes first, so neither always runs on a cache the other warmed.
      if (round % 2 === 0) {
        const c = await cycle();
        cycles.push(c.seconds);
        queries = c.queries;
        evaluated = c.evaluated;
        baselines.push(await baseline());
      } else {
        baselines.push(await baseline());
        const c = await cycle();
        cycles.push(c.seconds);
        queries = c.queries;
        evaluated = c.evaluated;
      }
      log(`round ${round + 1}: cycle ${cycles[round]?.toFixed(2)} s, hand-written query ${baselines[round]?.toFixed(2)} s`);
    }

    // Where the cycle's time goes: ClickHouse reads vs the JS around them (one batch at a time, so reads do not overlap).
    let readSeconds = 0;
    started = performance.now();
    await evaluateSlos(async (qs) => {
      const t0 = performance.now();
      const counts = await windowCountsBatch(store!.client, database, qs);
      readSeconds += seconds(t0);
      return counts;
    }, slos, now, { concurrency: 1 });
    const evaluateSeconds = seconds(started);

    // What one query per SLO would cost: a sample of every SLO variant, extrapolated.
    const sample = slos.filter((_, i) => i % Math.floor(slos.length / SINGLE_SAMPLE) === 0).slice(0, SINGLE_SAMPLE);
    started = performance.now();
    for (const slo of sample) {
      const plan = evaluationPlan(slo, now);
      await windowCounts(store.client, database, { sli: slo.sli, groupBy: slo.groupBy, starts: plan.starts, end: plan.end });
    }
    const singleEstimate = (seconds(started) / sample.length) * slos.length;

    const check = compare(loop.latest, slos, baselineRows);
    for (const m of check.mismatches.slice(0, 5)) log(`MISMATCH ${m}`);
    log(`checked ${slos.length} SLOs against the hand-written query: ${check.matching} match (every group and window, to 1e-9)`);

    const cycleBest = best(cycles);
    const baselineBest = best(baselines);
    const ratio = cycleBest / baselineBest;
    // Which SLO variants burn at the end of the data (the incident models page; slow burns open tickets).
    const burningBy = new Map<string, number>();
    for (const e of loop.latest.values()) {
      if (e.overall.burning.length === 0 && !e.groups.some((g) => g.burning.length > 0)) continue;
      const variant = e.slo.name.replace(/^[a-z]+-\d+-/, '');
      burningBy.set(variant, (burningBy.get(variant) ?? 0) + 1);
    }
    const burning = [...burningBy.values()].reduce((a, b) => a + b, 0);
    const targets: BenchTarget[] = [
      { metric: 'hand-written query s / mlwarden cycle s (within 2x)', value: baselineBest / cycleBest, atLeast: 1 / TARGET_RATIO, met: ratio <= TARGET_RATIO },
      { metric: `evaluation interval (${intervalS} s) / cycle s`, value: intervalS / cycleBest, atLeast: 1, met: cycleBest < intervalS },
      { metric: 'share of SLOs equal to the hand-written numbers', value: check.matching / slos.length, atLeast: 1, met: check.matching === slos.length },
    ];
    return {
      table: [
        { path: 'mlwarden evaluation cycle (batched)', 'best s': cycleBest, 'median s': median(cycles), queries, 'x hand-written': ratio },
        { path: 'hand-written ClickHouse query', 'best s': baselineBest, 'median s': median(baselines), queries: 1, 'x hand-written': 1 },
        { path: `one query per SLO (${sample.length} sampled, extrapolated)`, 'best s': singleEstimate, 'median s': singleEstimate, queries: slos.length, 'x hand-written': singleEstimate / baselineBest },
      ],
      notes: [
        `${slos.length} SLOs (${slos.filter((s) => s.sli.type === 'availability').length} availability over the requests_1m rollup, ${slos.filter((s) => s.sli.type === 'latency').length} latency over raw requests), ` +
          `${DAYS} days: ${rawRows.toLocaleString('en-US')} request rows, ${rollupRows.toLocaleString('en-US')} rollup rows`,
        `cycle: ${evaluated} SLOs evaluated in ${queries} ClickHouse queries; evaluateSlos one batch at a time: ${evaluateSeconds.toFixed(2)} s, of which ClickHouse reads ${readSeconds.toFixed(2)} s, JS (split, assessment) ${(evaluateSeconds - readSeconds).toFixed(2)} s`,
        `${burning} SLOs burning at the end of the data (${series.filter((x) => x.incident).map((x) => x.model).filter((m, i, all) => all.indexOf(m) === i).length} incident models, 4% errors over the last 90 minutes): ` +
          ([...burningBy].map(([variant, n]) => `${variant} ${n}`).join(', ') || 'none'),
      ],
      targets,
      details: {
        models: models.length,
        series: series.length,
        slos: slos.length,
        days: DAYS,
        rawRows,
        rollupRows,
        generateSeconds,
        cycleSeconds: cycles,
        baselineSeconds: baselines,
        cycleBestSeconds: cycleBest,
        baselineBestSeconds: baselineBest,
        ratio,
        queriesPerCycle: queries,
        readSeconds,
        evaluateSeconds,
        singleQueryPerSloEstimateSeconds: singleEstimate,
        evaluationIntervalSeconds: intervalS,
        matchingSlos: check.matching,
        mismatches: check.mismatches.slice(0, 20),
        burningSlos: burning,
        burningByVariant: Object.fromEntries(burningBy),
      },
    };
  } finally {
    await store?.close();
    await drainPending();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const sloBench: BenchModule = {
  name: 'slo',
  description: `evaluate ${MODELS * 5} SLOs over ${DAYS} days of per-minute data vs one hand-written ClickHouse query`,
  run,
};
