/**
 * The offline drift report: two tables (reference, current) → per-column PSI, the bins behind it and
 * the same sample-size-aware decision as the online path. Pure; reading files is the caller's job.
 *
 * Column types: a column named in `categorical` is categorical; otherwise it is numeric when every
 * non-empty cell of both tables is a decimal number, categorical when any is not. Empty cells (null)
 * are missing values. Under 'evidently' a numeric column with ≤ 20 distinct reference values is
 * reported as categorical, as Evidently treats it.
 *
 * mlwarden and phoenix build a baseline from the reference and count the current table against it —
 * exactly what the online path does with a stored baseline and SQL counts — so offline and online
 * numbers agree for the same data.
 */
import { DEFAULT_EPSILON, type PsiMethod } from './baseline.js';
import { comparePsi, type AlignedBins, type BinComparison, type WindowPsi } from './baseline-psi.js';
import { buildNumericBaseline, countNumeric, DEFAULT_BINS } from './binning.js';
import { buildCategoricalBaseline, countCategorical, type UnseenCategory } from './categorical-binning.js';
import { categoryUnionBins } from './category-union.js';
import { DEFAULT_DRIFT_POLICY, decideDrift, type DriftDecision, type DriftPolicy, type DriftSeverity, type WindowStatus } from './drift-decision.js';
import { invalidDriftInput } from './drift-error.js';
import { EVIDENTLY_CATEGORICAL_MAX_DISTINCT, evidentlyNumericBins } from './evidently-psi.js';
import { PHOENIX_PSEUDOCOUNT } from './phoenix-psi.js';
import { assessWindow, evidenceOf, type WindowAssessment } from './window-assessment.js';

export interface DataTable {
  /** Where the table came from (a file name), for messages. */
  name: string;
  columns: string[];
  /** Row-major cells; null is an empty cell (a missing value). */
  rows: (string | null)[][];
}

export type ColumnType = 'numeric' | 'categorical';

export interface ColumnReportOptions {
  /** Numeric bins for mlwarden and phoenix (default 10); evidently uses Sturges' rule. */
  bins?: number;
  /** Columns to treat as categorical whatever their cells look like. */
  categorical?: readonly string[];
  method?: PsiMethod;
  topK?: number;
  policy?: DriftPolicy;
}

export interface ColumnDrift {
  column: string;
  type: ColumnType;
  method: PsiMethod;
  psi: number | null;
  status: WindowStatus;
  severity: DriftSeverity;
  criticalValue: number | null;
  jensenShannon: number | null;
  /** Reference and current observations over the bins that took part. */
  n: number;
  m: number;
  reason: string;
  unseen: UnseenCategory[];
  unseenTotal: number;
  bins: BinComparison[];
}

export interface ColumnReport {
  columns: ColumnDrift[];
  warnings: string[];
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export const isNumericCell = (cell: string): boolean => DECIMAL.test(cell.trim());

function cellsOf(table: DataTable, column: string): (string | null)[] {
  const index = table.columns.indexOf(column);
  return table.rows.map((row) => row[index] ?? null);
}

export function detectColumnType(...columns: readonly (string | null)[][]): ColumnType {
  return columns.every((cells) => cells.every((c) => c === null || isNumericCell(c))) ? 'numeric' : 'categorical';
}

const numbers = (cells: readonly (string | null)[]) => cells.map((c) => (c === null ? null : Number(c.trim())));

type Measured = Pick<WindowPsi, 'method' | 'psi' | 'jensenShannon' | 'n' | 'm' | 'bins' | 'unseen' | 'unseenTotal'>;

function toColumnDrift(column: string, type: ColumnType, measured: Measured, decision: DriftDecision): ColumnDrift {
  const { method, psi, jensenShannon, n, m, unseen, unseenTotal, bins } = measured;
  const { status, severity, criticalValue, reason } = decision;
  return { column, type, method, psi, status, severity, criticalValue, jensenShannon, n, m, reason, unseen, unseenTotal, bins };
}

function assessOwn(type: ColumnType, ref: (string | null)[], cur: (string | null)[], options: ColumnReportOptions, method: 'mlwarden' | 'phoenix'): WindowAssessment {
  const policy = options.policy ?? DEFAULT_DRIFT_POLICY;
  if (type === 'numeric') {
    const baseline = buildNumericBaseline(numbers(ref), { bins: options.bins ?? DEFAULT_BINS, method });
    return assessWindow(baseline, countNumeric(numbers(cur), baseline.edges), policy);
  }
  const baseline = buildCategoricalBaseline(ref, { topK: options.topK, method });
  return assessWindow(baseline, countCategorical(cur, baseline), policy);
}

interface Compared {
  type: ColumnType;
  method: PsiMethod;
  bins: AlignedBins;
  unseen: UnseenCategory[];
  unseenTotal: number;
}

function unionCompared(type: ColumnType, method: PsiMethod, ref: readonly (string | null)[], cur: readonly (string | null)[], missingBin: boolean): Compared {
  const { unseen, unseenTotal, ...bins } = categoryUnionBins(ref, cur, missingBin);
  return { type, method, bins, unseen, unseenTotal };
}

function evidentlyCompared(type: ColumnType, ref: (string | null)[], cur: (string | null)[]): Compared {
  const present = (cells: (string | null)[]) => cells.filter((c): c is string => c !== null);
  if (type === 'categorical') return unionCompared(type, 'evidently', present(ref), present(cur), false);
  const refNumbers = present(ref).map((c) => Number(c.trim()));
  const curNumbers = present(cur).map((c) => Number(c.trim()));
  if (new Set(refNumbers).size <= EVIDENTLY_CATEGORICAL_MAX_DISTINCT) {
    return unionCompared('categorical', 'evidently', refNumbers.map(String), curNumbers.map(String), false);
  }
  // pandas reads a column as integers only when every cell is an integer and none is empty.
  const integerData = [...ref, ...cur].every((c) => c !== null && Number.isInteger(Number(c.trim())));
  return { type, method: 'evidently', bins: evidentlyNumericBins(refNumbers, curNumbers, integerData), unseen: [], unseenTotal: 0 };
}

function compatDrift(column: string, compared: Compared, policy: DriftPolicy): ColumnDrift {
  const epsilon = compared.method === 'phoenix' ? PHOENIX_PSEUDOCOUNT : DEFAULT_EPSILON.evidently;
  const psi = comparePsi(compared.method, compared.bins, epsilon);
  const decision = decideDrift(evidenceOf(psi), policy);
  return toColumnDrift(column, compared.type, { ...psi, unseen: compared.unseen, unseenTotal: compared.unseenTotal }, decision);
}

function columnDrift(column: string, reference: DataTable, current: DataTable, options: ColumnReportOptions): ColumnDrift {
  const ref = cellsOf(reference, column);
  const cur = cellsOf(current, column);
  const type = options.categorical?.includes(column) ? 'categorical' : detectColumnType(ref, cur);
  const method = options.method ?? 'mlwarden';
  const policy = options.policy ?? DEFAULT_DRIFT_POLICY;
  if (method === 'evidently') return compatDrift(column, evidentlyCompared(type, ref, cur), policy);
  if (method === 'phoenix' && type === 'categorical') {
    return compatDrift(column, unionCompared(type, method, ref, cur, ref.includes(null) || cur.includes(null)), policy);
  }
  const { decision, ...measured } = assessOwn(type, ref, cur, options, method);
  return toColumnDrift(column, type, measured, decision);
}

function checkColumns(reference: DataTable, current: DataTable, options: ColumnReportOptions): string[] {
  if (reference.rows.length === 0) throw invalidDriftInput(reference.name, 'has a header row but no data rows; a reference needs observations');
  const absent = reference.columns.filter((c) => !current.columns.includes(c));
  if (absent.length > 0) throw invalidDriftInput(current.name, `has no column ${absent.map((c) => `"${c}"`).join(', ')} (present in ${reference.name})`);
  const unknown = (options.categorical ?? []).filter((c) => !reference.columns.includes(c));
  if (unknown.length > 0) throw invalidDriftInput('categorical', `names no column of ${reference.name}: ${unknown.map((c) => `"${c}"`).join(', ')}`);
  const extra = current.columns.filter((c) => !reference.columns.includes(c));
  const warnings = extra.map((c) => `column "${c}" is only in ${current.name}; skipped`);
  if (options.method === 'evidently' && options.bins !== undefined) warnings.push("evidently bins numeric columns by Sturges' rule over both tables, as Evidently does; --bins is ignored");
  return warnings;
}

/** Per-column PSI of `current` against `reference` (every column of the reference, in its order). */
export function columnReport(reference: DataTable, current: DataTable, options: ColumnReportOptions = {}): ColumnReport {
  const warnings = checkColumns(reference, current, options);
  return { columns: reference.columns.map((column) => columnDrift(column, reference, current, options)), warnings };
}
