export { DEFAULT_EPSILON, MAX_CATEGORIES, MAX_EDGES, PSI_METHODS, baselineSchema, parseBaseline } from './baseline.js';
export type { Baseline, BaselineInput, CategoricalBaseline, CategoryCount, NumericBaseline, PsiMethod } from './baseline.js';
export { binProbabilities, quantileSorted } from './quantile.js';
export {
  DEFAULT_BINS,
  binIndex,
  buildNumericBaseline,
  countNumeric,
  edgesFromQuantiles,
  numericBaselineFromCounts,
  numericBinLabels,
  quantileEdges,
} from './binning.js';
export type { NumericBaselineOptions, NumericWindowCounts } from './binning.js';
export {
  DEFAULT_TOP_K,
  DEFAULT_UNSEEN_LIMIT,
  MISSING_LABEL,
  OTHER_LABEL,
  buildCategoricalBaseline,
  categoricalBaselineFromCounts,
  categoricalBinLabels,
  countCategorical,
} from './categorical-binning.js';
export type { CategoricalBaselineOptions, CategoricalWindowCounts, UnseenCategory } from './categorical-binning.js';
export { FrequentItems } from './frequent-items.js';
export { DEFAULT_EPSILON_FLOOR, floorAndRenormalise, mlwardenPsi, psiOfProportions } from './psi.js';
export type { PsiResult, PsiTerm } from './psi.js';
export { EVIDENTLY_CATEGORICAL_MAX_DISTINCT, evidentlyEdges, evidentlyFill, evidentlyPsi, sturgesBinCount } from './evidently-psi.js';
export { PHOENIX_PSEUDOCOUNT, laplaceProportions, phoenixEdges, phoenixPsi } from './phoenix-psi.js';
export { jensenShannonDistance } from './jensen-shannon.js';
export { alignBins, baselinePsi, comparePsi } from './baseline-psi.js';
export type { AlignedBins, BinComparison, BinRole, WindowCounts, WindowPsi } from './baseline-psi.js';
export { alignHistogram } from './histogram-alignment.js';
export type { Histogram } from './histogram-alignment.js';
export { chiSquareCdf, chiSquareQuantile } from './chi-square.js';
export { DEFAULT_ALPHA, noDriftCriticalValue, smallSampleFactor, windowCriticalValue } from './critical-value.js';
export { SIMULATE_BELOW, simulatedCriticalValue } from './simulated-critical-value.js';
export { DEFAULT_DRIFT_POLICY, decideDrift, driftPolicySchema } from './drift-decision.js';
export type { DriftDecision, DriftEvidence, DriftPolicy, DriftSeverity, WindowStatus } from './drift-decision.js';
export { assessWindow, evidenceOf } from './window-assessment.js';
export type { WindowAssessment } from './window-assessment.js';
export { DEFAULT_EPISODE_OPTIONS, NO_EPISODE, stepEpisodes, trackEpisodes } from './episodes.js';
export type { DriftEpisode, EpisodeOptions, EpisodeState, EpisodeStep, FeatureDriftHistory, WindowVerdict } from './episodes.js';
export { driftShare } from './drift-share.js';
export type { DriftShare, FeatureDriftFlag } from './drift-share.js';
export { columnReport, detectColumnType, isNumericCell } from './column-report.js';
export type { ColumnDrift, ColumnReport, ColumnReportOptions, ColumnType, DataTable } from './column-report.js';
