import { z } from 'zod';
import { MlwardenError, type FieldProblem } from '../errors.js';

/**
 * A stored reference distribution for one feature: what PSI compares every window against.
 *
 * Numeric: interior `edges` e0 < e1 < … < e(k-1) (finite; JSON has no Infinity) define k+1 bins
 * (-∞,e0), [e0,e1), …, [e(k-1),+∞): the outer bins are open, so values outside the reference range
 * are counted, never dropped. `counts` holds the reference count per bin (k+1 entries), `missing`
 * the count of missing values (null/NaN), n = Σcounts + missing. Proportions are derived from the
 * counts and stored alongside for readers of the API.
 *
 * Categorical: the top-K reference `categories` (most frequent first) each get a bin; every other
 * category shares the "other" bin; missing values have their own bin. `otherCategories` names
 * further reference categories (bounded list) so a brand-new category can be told from a rare one;
 * `otherCategoriesComplete` says whether that list names every reference category outside the top-K.
 *
 * `method` pins the PSI definition the baseline was built for; `epsilon` is that method's smoothing
 * constant: the proportion floor for 'mlwarden' (1e-4), the empty-bin fill for 'evidently' (1e-4,
 * or m/1e6 when the smallest non-zero proportion m ≤ 1e-4), the Laplace pseudocount for 'phoenix' (1).
 */
export const PSI_METHODS = ['mlwarden', 'evidently', 'phoenix'] as const;
export type PsiMethod = (typeof PSI_METHODS)[number];

export const DEFAULT_EPSILON: Readonly<Record<PsiMethod, number>> = { mlwarden: 1e-4, evidently: 1e-4, phoenix: 1 };
export const MAX_EDGES = 1000;
export const MAX_CATEGORIES = 1000;
export const MAX_OTHER_CATEGORIES = 10_000;
export const MAX_CATEGORY_LENGTH = 256;

export interface NumericBaseline {
  kind: 'numeric';
  method: PsiMethod;
  edges: number[];
  counts: number[];
  missing: number;
  n: number;
  proportions: number[];
  missingProportion: number;
  epsilon: number;
}

export interface CategoryCount {
  value: string;
  count: number;
  proportion: number;
}

export interface CategoricalBaseline {
  kind: 'categorical';
  method: PsiMethod;
  categories: CategoryCount[];
  other: number;
  missing: number;
  n: number;
  otherProportion: number;
  missingProportion: number;
  otherCategories: string[];
  otherCategoriesComplete: boolean;
  epsilon: number;
}

export type Baseline = NumericBaseline | CategoricalBaseline;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const proportion = z.number().min(0).max(1);
const method = z.enum(PSI_METHODS).default('mlwarden');
const epsilon = z.number().positive().max(1).optional();
const category = z.string().max(MAX_CATEGORY_LENGTH);
const TOLERANCE = 1e-9;

const near = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE;

function checkTotal(ctx: z.RefinementCtx, given: number | undefined, total: number): void {
  if (total < 1) ctx.addIssue({ code: 'custom', path: ['counts'], message: 'the reference holds no observations' });
  if (given !== undefined && given !== total) ctx.addIssue({ code: 'custom', path: ['n'], message: `is ${given} but the counts add up to ${total}` });
}

function checkProportion(ctx: z.RefinementCtx, path: (string | number)[], given: number | undefined, expected: number): void {
  if (given !== undefined && !near(given, expected)) ctx.addIssue({ code: 'custom', path, message: `is ${given} but the counts give ${expected}` });
}

const numericInput = z
  .strictObject({
    kind: z.literal('numeric'),
    method,
    edges: z.array(z.number().refine(Number.isFinite, 'must be a finite number')).max(MAX_EDGES),
    counts: z.array(count).min(1).max(MAX_EDGES + 1),
    missing: count.default(0),
    n: count.optional(),
    proportions: z.array(proportion).optional(),
    missingProportion: proportion.optional(),
    epsilon,
  })
  .superRefine((b, ctx) => {
    if (b.counts.length !== b.edges.length + 1) {
      ctx.addIssue({ code: 'custom', path: ['counts'], message: `has ${b.counts.length} entries; expected edges.length + 1 = ${b.edges.length + 1} (open outer bins)` });
    }
    const bad = b.edges.findIndex((e, i) => i > 0 && !(e > (b.edges[i - 1] as number)));
    if (bad > 0) ctx.addIssue({ code: 'custom', path: ['edges', bad], message: 'edges must be strictly increasing' });
    const total = b.counts.reduce((a, c) => a + c, 0) + b.missing;
    checkTotal(ctx, b.n, total);
    if (total < 1) return;
    if (b.proportions !== undefined && b.proportions.length !== b.counts.length) {
      ctx.addIssue({ code: 'custom', path: ['proportions'], message: 'must have one entry per bin' });
    }
    b.proportions?.forEach((p, i) => checkProportion(ctx, ['proportions', i], p, (b.counts[i] ?? 0) / total));
    checkProportion(ctx, ['missingProportion'], b.missingProportion, b.missing / total);
  })
  .transform((b): NumericBaseline => {
    const n = b.counts.reduce((a, c) => a + c, 0) + b.missing;
    return {
      kind: 'numeric',
      method: b.method,
      edges: b.edges,
      counts: b.counts,
      missing: b.missing,
      n,
      proportions: b.counts.map((c) => c / n),
      missingProportion: b.missing / n,
      epsilon: b.epsilon ?? DEFAULT_EPSILON[b.method],
    };
  });

const categoricalInput = z
  .strictObject({
    kind: z.literal('categorical'),
    method,
    categories: z.array(z.strictObject({ value: category, count, proportion: proportion.optional() })).max(MAX_CATEGORIES),
    other: count.default(0),
    missing: count.default(0),
    n: count.optional(),
    otherProportion: proportion.optional(),
    missingProportion: proportion.optional(),
    otherCategories: z.array(category).max(MAX_OTHER_CATEGORIES).default([]),
    otherCategoriesComplete: z.boolean().default(false),
    epsilon,
  })
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.categories.forEach((c, i) => {
      if (seen.has(c.value)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'value'], message: `"${c.value}" is listed twice` });
      seen.add(c.value);
    });
    b.otherCategories.forEach((name, i) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['otherCategories', i], message: `"${name}" is already a category bin (or listed twice)` });
      seen.add(name);
    });
    const total = b.categories.reduce((a, c) => a + c.count, 0) + b.other + b.missing;
    checkTotal(ctx, b.n, total);
    if (total < 1) return;
    b.categories.forEach((c, i) => checkProportion(ctx, ['categories', i, 'proportion'], c.proportion, c.count / total));
    checkProportion(ctx, ['otherProportion'], b.otherProportion, b.other / total);
    checkProportion(ctx, ['missingProportion'], b.missingProportion, b.missing / total);
  })
  .transform((b): CategoricalBaseline => {
    const n = b.categories.reduce((a, c) => a + c.count, 0) + b.other + b.missing;
    return {
      kind: 'categorical',
      method: b.method,
      categories: b.categories.map((c) => ({ value: c.value, count: c.count, proportion: c.count / n })),
      other: b.other,
      missing: b.missing,
      n,
      otherProportion: b.other / n,
      missingProportion: b.missing / n,
      otherCategories: b.otherCategories,
      otherCategoriesComplete: b.otherCategoriesComplete,
      epsilon: b.epsilon ?? DEFAULT_EPSILON[b.method],
    };
  });

/**
 * The stored form of a baseline (API bodies, the baselines table). Proportions and n may be omitted
 * on input (they are derived from the counts); when given they must agree. A parsed baseline
 * serialises to JSON and parses back to the same value.
 */
export const baselineSchema = z.discriminatedUnion('kind', [numericInput, categoricalInput]);
export type BaselineInput = z.input<typeof baselineSchema>;

/** Validates a stored or submitted baseline; a MlwardenError('invalid') names every bad field. */
export function parseBaseline(input: unknown): Baseline {
  const parsed = baselineSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems: FieldProblem[] = parsed.error.issues.map((i) => ({ field: i.path.length === 0 ? '(baseline)' : i.path.map(String).join('.'), reason: i.message }));
  throw new MlwardenError('invalid', `invalid baseline: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`, { problems });
}
