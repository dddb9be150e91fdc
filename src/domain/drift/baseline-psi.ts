/**
 * PSI of one window against a stored baseline, from counts aligned with the baseline's bins. This is
 * the one function both paths call: the SQL path with counts from ClickHouse, the CLI with counts
 * from `countNumeric` / `countCategorical`. The baseline's `method` picks the definition:
 *   - mlwarden: bins with mass on either side, ε-floor (psi.ts);
 *   - phoenix: every baseline bin, plus missing/other when either side has some, Laplace +1;
 *   - evidently: missing left out, every numeric bin, categories seen on either side, m/1e6-or-1e-4 fill.
 */
import type { Baseline, CategoricalBaseline, NumericBaseline, PsiMethod } from './baseline.js';
import { numericBinLabels, type NumericWindowCounts } from './binning.js';
import { categoricalBinLabels, type CategoricalWindowCounts, type UnseenCategory } from './categorical-binning.js';
import { invalidDriftInput } from './drift-error.js';
import { evidentlyPsi } from './evidently-psi.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { phoenixPsi } from './phoenix-psi.js';
import { mlwardenPsi, total, type PsiResult } from './psi.js';

export type WindowCounts = NumericWindowCounts | CategoricalWindowCounts;
export type BinRole = 'bin' | 'other' | 'missing';

/** Counts of both sides over the baseline's bins, in display order. */
export interface AlignedBins {
  labels: string[];
  roles: BinRole[];
  ref: number[];
  cur: number[];
}

export interface BinComparison {
  label: string;
  refCount: number;
  curCount: number;
  /** Observed proportions over the bins that took part (0 for a bin left out). */
  ref: number;
  cur: number;
  contribution: number;
  included: boolean;
}

export interface WindowPsi {
  method: PsiMethod;
  /** null when a side has no observation the method can use (mlwarden, evidently). */
  psi: number | null;
  /** Second statistic, from the observed proportions: see jensen-shannon.ts. */
  jensenShannon: number | null;
  bins: BinComparison[];
  /** Bins that took part (B in the critical value). */
  binsUsed: number;
  n: number;
  m: number;
  unseen: UnseenCategory[];
  unseenTotal: number;
}

function alignNumeric(baseline: NumericBaseline, window: NumericWindowCounts): AlignedBins {
  if (window.counts.length !== baseline.counts.length) {
    throw invalidDriftInput('counts', `has ${window.counts.length} entries; the baseline has ${baseline.counts.length} bins (edges.length + 1)`);
  }
  return {
    labels: [...numericBinLabels(baseline.edges), '(missing)'],
    roles: [...baseline.counts.map((): BinRole => 'bin'), 'missing'],
    ref: [...baseline.counts, baseline.missing],
    cur: [...window.counts, window.missing],
  };
}

function alignCategorical(baseline: CategoricalBaseline, window: CategoricalWindowCounts): AlignedBins {
  if (window.counts.length !== baseline.categories.length) {
    throw invalidDriftInput('counts', `has ${window.counts.length} entries; the baseline has ${baseline.categories.length} categories`);
  }
  return {
    labels: categoricalBinLabels(baseline),
    roles: [...baseline.categories.map((): BinRole => 'bin'), 'other', 'missing'],
    ref: [...baseline.categories.map((c) => c.count), baseline.other, baseline.missing],
    cur: [...window.counts, window.other, window.missing],
  };
}

export function alignBins(baseline: Baseline, window: WindowCounts): AlignedBins {
  if (baseline.kind === 'numeric') return alignNumeric(baseline, window);
  if (!('other' in window)) throw invalidDriftInput('other', 'categorical window counts need other and missing counts');
  return alignCategorical(baseline, window);
}

/** Which aligned bins take part under each method (see the file header). */
export function binsTakingPart(method: PsiMethod, bins: AlignedBins): boolean[] {
  return bins.roles.map((role, i) => {
    const observed = (bins.ref[i] as number) > 0 || (bins.cur[i] as number) > 0;
    if (method === 'mlwarden') return observed;
    if (method === 'phoenix') return role === 'bin' || observed;
    return role !== 'missing' && (role === 'bin' || observed);
  });
}

function psiBy(method: PsiMethod, bins: AlignedBins, keep: boolean[], epsilon: number): PsiResult | null {
  const n = total(bins.ref.filter((_, i) => keep[i]));
  const m = total(bins.cur.filter((_, i) => keep[i]));
  if (method === 'phoenix') return phoenixPsi(bins.ref, bins.cur, keep, epsilon);
  if (n === 0 || m === 0) return null;
  if (method === 'evidently') return evidentlyPsi(bins.ref, bins.cur, keep, epsilon);
  return mlwardenPsi(bins.ref, bins.cur, epsilon);
}

/** Observed proportions over the bins taking part (0 elsewhere). */
function observed(counts: readonly number[], keep: readonly boolean[]): number[] {
  const sum = total(counts.filter((_, i) => keep[i]));
  return counts.map((c, i) => (keep[i] && sum > 0 ? c / sum : 0));
}

/** Compares already-aligned counts under a method: the core of `baselinePsi` and of the offline report. */
export function comparePsi(method: PsiMethod, bins: AlignedBins, epsilon: number): Omit<WindowPsi, 'unseen' | 'unseenTotal'> {
  const keep = binsTakingPart(method, bins);
  const result = psiBy(method, bins, keep, epsilon);
  const ref = observed(bins.ref, keep);
  const cur = observed(bins.cur, keep);
  const comparable = total(bins.ref.filter((_, i) => keep[i])) > 0 && total(bins.cur.filter((_, i) => keep[i])) > 0;
  return {
    method,
    psi: result?.value ?? null,
    jensenShannon: comparable ? jensenShannonDistance(ref, cur) : null,
    bins: bins.labels.map((label, i) => ({
      label,
      refCount: bins.ref[i] as number,
      curCount: bins.cur[i] as number,
      ref: ref[i] as number,
      cur: cur[i] as number,
      contribution: result?.terms[i]?.contribution ?? 0,
      included: keep[i] as boolean,
    })),
    binsUsed: keep.filter(Boolean).length,
    n: total(bins.ref.filter((_, i) => keep[i])),
    m: total(bins.cur.filter((_, i) => keep[i])),
  };
}

/** PSI (and the second statistic) of one window's aligned counts against a stored baseline. */
export function baselinePsi(baseline: Baseline, window: WindowCounts): WindowPsi {
  const unseen = 'unseen' in window ? (window.unseen ?? []) : [];
  const unseenTotal = 'unseenTotal' in window ? (window.unseenTotal ?? 0) : 0;
  return { ...comparePsi(baseline.method, alignBins(baseline, window), baseline.epsilon), unseen, unseenTotal };
}
