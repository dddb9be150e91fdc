export { evaluateSlo, alertableGroups } from './slo-evaluator.js';
export type { SloEvaluation } from './slo-evaluator.js';
export { SloEvaluationLoop } from './evaluation-loop.js';
export type { EvaluationLoopDeps } from './evaluation-loop.js';
export { SloMetrics, MAX_GROUPS_PER_SLO } from './slo-metrics.js';
