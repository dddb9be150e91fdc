import type { Baseline } from './baseline.js';
import { baselinePsi, type WindowCounts, type WindowPsi } from './baseline-psi.js';
import { DEFAULT_DRIFT_POLICY, decideDrift, type DriftDecision, type DriftPolicy } from './drift-decision.js';

export type WindowAssessment = WindowPsi & { decision: DriftDecision };

/**
 * One feature-window end to end: PSI of the window's aligned counts against the baseline, then the
 * sample-size-aware decision. The SQL path calls this with counts from ClickHouse; the CLI with
 * counts from countNumeric / countCategorical.
 */
export function assessWindow(baseline: Baseline, window: WindowCounts, policy: DriftPolicy = DEFAULT_DRIFT_POLICY): WindowAssessment {
  const psi = baselinePsi(baseline, window);
  return { ...psi, decision: decideDrift({ psi: psi.psi, bins: psi.binsUsed, n: psi.n, m: psi.m }, policy) };
}
