import { assessGroup, evaluationPlan, type EventCounts, type EvaluationPlan, type GroupAssessment, type Slo } from '../domain/slo/index.js';
import type { GroupCounts, WindowQuery } from '../store/index.js';

/** The store query evaluation needs (store's windowCounts, bound to a client). */
export type WindowCountsReader = (q: WindowQuery) => Promise<GroupCounts[]>;

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

/** Reads exact window counts from ClickHouse and assesses them (the math is in src/domain/slo). */
export async function evaluateSlo(readCounts: WindowCountsReader, slo: Slo, now: number): Promise<SloEvaluation> {
  const plan = evaluationPlan(slo, now);
  const counts = await readCounts({ sli: slo.sli, groupBy: slo.groupBy, starts: plan.starts, end: plan.end });
  const groups = slo.groupBy.length === 0 ? [] : counts.map((g) => assessGroup(slo, plan, g.labels, g.counts));
  const overall = assessGroup(slo, plan, {}, summed(counts, plan.starts.length));
  return { slo, plan, evaluatedAt: now, overall, groups };
}

/** The assessments alerts are raised on: each group when the SLO is grouped, else the SLO as a whole. */
export const alertableGroups = (e: SloEvaluation): GroupAssessment[] => (e.slo.groupBy.length > 0 ? e.groups : [e.overall]);
