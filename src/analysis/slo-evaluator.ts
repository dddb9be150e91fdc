import { assessGroup, evaluationPlan, type EventCounts, type EvaluationPlan, type GroupAssessment, type Slo } from '../domain/slo/index.js';
import { windowBatchKey, type GroupCounts, type WindowQuery } from '../store/index.js';

/** The store query evaluation needs (store's windowCounts, bound to a client). */
export type WindowCountsReader = (q: WindowQuery) => Promise<GroupCounts[]>;

/** Counts for several queries in one read (store's windowCountsBatch, bound to a client); results in query order. */
export type WindowCountsBatchReader = (queries: WindowQuery[]) => Promise<GroupCounts[][]>;

/** One SLO at one instant: every group's assessment, plus the SLO as a whole (all groups' events summed). */
export interface SloEvaluation {
  slo: Slo;
  plan: EvaluationPlan;
  evaluatedAt: number;
  overall: GroupAssessment;
  groups: GroupAssessment[];
}

function summed(groups: ReadonlyArray<{ counts: EventCounts[] }>, windows: number): EventCounts[] {
  return Array.from({ length: windows }, (_, i) =>
    groups.reduce((sum, g) => ({ good: sum.good + (g.counts[i]?.good ?? 0), total: sum.total + (g.counts[i]?.total ?? 0) }), { good: 0, total: 0 }),
  );
}

function assess(slo: Slo, plan: EvaluationPlan, now: number, counts: readonly GroupCounts[]): SloEvaluation {
  const groups = slo.groupBy.length === 0 ? [] : counts.map((g) => assessGroup(slo, plan, g.labels, g.counts));
  const overall = assessGroup(slo, plan, {}, summed(counts, plan.starts.length));
  return { slo, plan, evaluatedAt: now, overall, groups };
}

const queryOf = (slo: Slo, plan: EvaluationPlan): WindowQuery => ({ sli: slo.sli, groupBy: slo.groupBy, starts: plan.starts, end: plan.end });

/** Reads exact window counts from ClickHouse and assesses them (the math is in src/domain/slo). */
export async function evaluateSlo(readCounts: WindowCountsReader, slo: Slo, now: number): Promise<SloEvaluation> {
  const plan = evaluationPlan(slo, now);
  return assess(slo, plan, now, await readCounts(queryOf(slo, plan)));
}

/** One SLO's result in a cycle: its evaluation or why it failed, and the time it took (its batch's read plus its own assessment). */
export type SloOutcome = { slo: Slo; ms: number } & ({ evaluation: SloEvaluation; error?: undefined } | { evaluation?: undefined; error: Error });

export interface EvaluateSlosOptions {
  /** Batches read at once (default 4). ClickHouse parallelises each query; a few in flight keep it busy. */
  concurrency?: number;
  /** Monotonic clock for timings (tests may pin it). */
  clock?: () => number;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Evaluates many SLOs at one instant: SLOs whose counts can share a ClickHouse read (store's
 * windowBatchKey: same SLI kind and parameters, same end) are read in one query per batch, then each
 * is assessed on its own. Failures stay apart: a failing batch fails only its SLOs, a failing
 * assessment only its SLO. Outcomes come back in the order of `slos`.
 */
export async function evaluateSlos(readBatch: WindowCountsBatchReader, slos: readonly Slo[], now: number, options: EvaluateSlosOptions = {}): Promise<SloOutcome[]> {
  const clock = options.clock ?? (() => performance.now());
  const outcomes: SloOutcome[] = new Array<SloOutcome>(slos.length);
  const batches = new Map<string, Array<{ index: number; slo: Slo; plan: EvaluationPlan; query: WindowQuery }>>();
  slos.forEach((slo, index) => {
    const started = clock();
    try {
      const plan = evaluationPlan(slo, now);
      const query = queryOf(slo, plan);
      // Queries that cannot share a read get a batch of their own.
      const key = windowBatchKey(query) ?? `alone:${index}`;
      const member = { index, slo, plan, query };
      const batch = batches.get(key);
      if (batch) batch.push(member);
      else batches.set(key, [member]);
    } catch (error) {
      outcomes[index] = { slo, ms: clock() - started, error: asError(error) };
    }
  });
  const queue = [...batches.values()];
  const worker = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const started = clock();
      let counts: GroupCounts[][];
      try {
        counts = await readBatch(batch.map((m) => m.query));
        if (counts.length !== batch.length) throw new Error(`batch read returned ${counts.length} results for ${batch.length} queries`);
      } catch (error) {
        const ms = clock() - started;
        for (const m of batch) outcomes[m.index] = { slo: m.slo, ms, error: asError(error) };
        continue;
      }
      const readMs = clock() - started;
      batch.forEach((m, i) => {
        const assessing = clock();
        try {
          const evaluation = assess(m.slo, m.plan, now, counts[i] ?? []);
          outcomes[m.index] = { slo: m.slo, ms: readMs + clock() - assessing, evaluation };
        } catch (error) {
          outcomes[m.index] = { slo: m.slo, ms: readMs + clock() - assessing, error: asError(error) };
        }
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return outcomes;
}

/** The assessments alerts are raised on: each group when the SLO is grouped, else the SLO as a whole. */
export const alertableGroups = (e: SloEvaluation): GroupAssessment[] => (e.slo.groupBy.length > 0 ? e.groups : [e.overall]);
