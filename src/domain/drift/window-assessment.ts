import type { Baseline } from './baseline.js';
import { baselinePsi, type WindowCounts, type WindowPsi } from './baseline-psi.js';
import { DEFAULT_DRIFT_POLICY, decideDrift, type DriftDecision, type DriftEvidence, type DriftPolicy } from './drift-decision.js';

export type WindowAssessment = WindowPsi & { decision: DriftDecision };

/**
 * One feature-window end to end: PSI of the window's aligned counts against the baseline, then the
 * sample-size-aware decision. The SQL path calls this with counts from ClickHouse; the CLI with
 * counts from countNumeric / countCategorical.
 */
export function assessWindow(baseline: Baseline, window: WindowCounts, policy: DriftPolicy = DEFAULT_DRIFT_POLICY): WindowAssessment {
  const psi = baselinePsi(baseline, window);
  return { ...psi, decision: decideDrift(evidenceOf(psi), policy) };
}

/** What the decision needs from a PSI: value, bins, sizes and the bins' pooled proportions. */
export function evidenceOf(psi: Omit<WindowPsi, 'unseen' | 'unseenTotal'>): DriftEvidence {
  const used = psi.bins.filter((b) => b.included);
  const pooled = psi.n + psi.m > 0 ? used.map((b) => (b.refCount + b.curCount) / (psi.n + psi.m)) : undefined;
  return { psi: psi.psi, bins: psi.binsUsed, n: psi.n, m: psi.m, pooled };
}
