export { evaluateSlo, alertableGroups } from './slo-evaluator.js';
export type { SloEvaluation, WindowCountsReader } from './slo-evaluator.js';
export { SloEvaluationLoop } from './evaluation-loop.js';
export type { EvaluationLoopDeps } from './evaluation-loop.js';
export { SloMetrics, MAX_GROUPS_PER_SLO } from './slo-metrics.js';
export { loadSloFiles, readSpecFiles } from './slo-files.js';
export { PlatformMetrics, DEFAULT_WINDOWS } from './platform-metrics.js';
export { readCsvTable } from './csv-table.js';
