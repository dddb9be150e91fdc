/**
 * Categorical binning with bounded memory: the top-K reference categories get a bin each, every
 * other category shares "other", missing values (null) have their own bin.
 *
 * High cardinality: a Misra–Gries summary (frequent-items.ts) finds the candidates in one pass with
 * at most `sketchCapacity` counters, and a second pass counts only those candidates exactly; so
 * 100k distinct categories never build a 100k-entry table, and the counts stored are exact. While the
 * reference has at most `sketchCapacity` distinct categories the top-K is exactly the K most frequent
 * (ties broken by name); beyond that, any category holding more than 1/(capacity+1) of the values is
 * still guaranteed a place.
 *
 * Brand-new categories: a current value that is neither a top-K category nor one of the further
 * `otherCategories` the baseline remembers (up to 1,000 by default) is "unseen". Its mass is counted
 * in "other" (exactly) and the most frequent unseen names are reported with exact counts (up to
 * `unseenLimit`, default 10). When the baseline's `otherCategoriesComplete` is false (the reference
 * had more categories than it remembers) "unseen" means "not among the reference's K + 1,000 most
 * frequent categories".
 *
 * SQL path: counts per baseline category in the baseline's order, then other, then missing; unseen
 * = values not in categories ∪ otherCategories (e.g. `topK(10)` over them, recounted).
 */
import { parseBaseline, type CategoricalBaseline, type PsiMethod } from './baseline.js';
import { invalidDriftInput } from './drift-error.js';
import { FrequentItems } from './frequent-items.js';

export const DEFAULT_TOP_K = 20;
export const MAX_TOP_K = 1000;
export const DEFAULT_OTHER_CATEGORIES = 1000;
export const DEFAULT_SKETCH_CAPACITY = 10_000;
export const DEFAULT_UNSEEN_LIMIT = 10;
export const OTHER_LABEL = '(other)';
export const MISSING_LABEL = '(missing)';

export interface UnseenCategory {
  value: string;
  count: number;
}

/** Per-window counts aligned with a categorical baseline: what the SQL returns for one (model, feature, window). */
export interface CategoricalWindowCounts {
  /** One count per baseline category, in the baseline's order. */
  counts: number[];
  /** Values outside the baseline's categories (rare reference categories and unseen ones). */
  other: number;
  missing: number;
  /** The most frequent unseen categories by name (bounded), with exact counts. */
  unseen?: UnseenCategory[];
  /** All observations of unseen categories (part of `other`). */
  unseenTotal?: number;
}

export interface CategoricalBaselineOptions {
  topK?: number;
  otherCategories?: number;
  sketchCapacity?: number;
  method?: PsiMethod;
  epsilon?: number;
}

const byCountThenName = (a: UnseenCategory, b: UnseenCategory) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/** Exact counts of `candidates` among `values` (a second pass touching only candidate keys). */
function recount(values: Iterable<string | null | undefined>, candidates: readonly string[]): UnseenCategory[] {
  const counts = new Map<string, number>(candidates.map((c) => [c, 0]));
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const c = counts.get(v);
    if (c !== undefined) counts.set(v, c + 1);
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort(byCountThenName);
}

function sketchOf(values: Iterable<string | null | undefined>, capacity: number, accept: (v: string) => boolean = () => true): FrequentItems {
  const sketch = new FrequentItems(capacity);
  for (const v of values) if (v !== null && v !== undefined && accept(v)) sketch.add(v);
  return sketch;
}

/** Builds a categorical baseline (top-K + other + missing) from reference values; null is missing. */
export function buildCategoricalBaseline(values: readonly (string | null | undefined)[], options: CategoricalBaselineOptions = {}): CategoricalBaseline {
  const topK = options.topK ?? DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) throw invalidDriftInput('topK', `must be an integer from 1 to ${MAX_TOP_K}, got ${topK}`);
  const remembered = options.otherCategories ?? DEFAULT_OTHER_CATEGORIES;
  const sketch = sketchOf(values, Math.max(options.sketchCapacity ?? DEFAULT_SKETCH_CAPACITY, 2 * (topK + remembered)));
  const ranked = recount(values, sketch.candidates());
  const missing = values.reduce((a, v) => a + (v === null || v === undefined ? 1 : 0), 0);
  const categories = ranked.slice(0, topK).filter((c) => c.count > 0);
  const inTopK = categories.reduce((a, c) => a + c.count, 0);
  const otherCategories = ranked.slice(topK, topK + remembered).map((c) => c.value);
  return categoricalBaselineFromCounts(
    {
      categories,
      other: values.length - missing - inTopK,
      missing,
      otherCategories,
      otherCategoriesComplete: sketch.complete && ranked.length <= topK + remembered,
    },
    { method: options.method, epsilon: options.epsilon },
  );
}

/** A categorical baseline from counts made elsewhere (the SQL path); validated. */
export function categoricalBaselineFromCounts(
  parts: { categories: { value: string; count: number }[]; other: number; missing: number; otherCategories?: string[]; otherCategoriesComplete?: boolean },
  options: { method?: PsiMethod | undefined; epsilon?: number | undefined } = {},
): CategoricalBaseline {
  return parseBaseline({ kind: 'categorical', ...parts, method: options.method ?? 'mlwarden', epsilon: options.epsilon }) as CategoricalBaseline;
}

/** Counts current values against a categorical baseline, naming the most frequent unseen categories. */
export function countCategorical(
  values: readonly (string | null | undefined)[],
  baseline: CategoricalBaseline,
  options: { unseenLimit?: number; sketchCapacity?: number } = {},
): Required<CategoricalWindowCounts> {
  const bin = new Map(baseline.categories.map((c, i) => [c.value, i]));
  const known = new Set([...bin.keys(), ...baseline.otherCategories]);
  const counts = new Array<number>(baseline.categories.length).fill(0);
  let other = 0;
  let missing = 0;
  let unseenTotal = 0;
  for (const v of values) {
    if (v === null || v === undefined) missing++;
    else if (bin.has(v)) counts[bin.get(v) as number]! += 1;
    else {
      other++;
      if (!known.has(v)) unseenTotal++;
    }
  }
  const limit = options.unseenLimit ?? DEFAULT_UNSEEN_LIMIT;
  const unseen = unseenTotal === 0 || limit === 0 ? [] : unseenNames(values, known, limit, options.sketchCapacity ?? 100 * limit);
  return { counts, other, missing, unseen, unseenTotal };
}

function unseenNames(values: readonly (string | null | undefined)[], known: ReadonlySet<string>, limit: number, capacity: number): UnseenCategory[] {
  const sketch = sketchOf(values, capacity, (v) => !known.has(v));
  return recount(values, sketch.candidates()).slice(0, limit);
}

/** Labels of a categorical baseline's aligned bins: its categories, then "(other)", then "(missing)". */
export function categoricalBinLabels(baseline: CategoricalBaseline): string[] {
  return [...baseline.categories.map((c) => c.value), OTHER_LABEL, MISSING_LABEL];
}
