import { z } from 'zod';
import { count, requiredLabel, optionalLabel, label } from './fields.js';
import { timestamp } from './timestamp.js';

const identity = {
  ts: timestamp,
  model: requiredLabel,
  version: optionalLabel,
  feature: requiredLabel,
};

/** One observation: a number, a category, or neither (null: a missing value, which drift tracks too). */
const observation = z
  .strictObject({
    ...identity,
    value: z.number().nullable().default(null),
    category: label.nullable().default(null),
  })
  .transform((o, ctx) => {
    if (o.value !== null && o.category !== null) {
      ctx.addIssue({ code: 'custom', path: ['category'], message: 'give value (numeric) or category, not both' });
    }
    return { ...o, observations: 1, hist_edges: [] as number[], hist_counts: [] as number[], hist_missing: 0 };
  });

/**
 * A histogram binned by the serving side: `edges` e0 < e1 < … < e(n-1) split the line into n+1 bins
 * (-∞,e0), [e0,e1), …, [e(n-1),+∞), so `counts` has edges.length + 1 entries; `missing` counts nulls.
 */
const histogram = z
  .strictObject({
    ...identity,
    edges: z.array(z.number()).min(1).max(1000),
    counts: z.array(count).max(1001),
    missing: count.default(0),
  })
  .transform((h, ctx) => {
    if (h.counts.length !== h.edges.length + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['counts'],
        message: `has ${h.counts.length} entries; expected edges.length + 1 = ${h.edges.length + 1} (open outer bins)`,
      });
    }
    for (let i = 1; i < h.edges.length; i++) {
      if (!((h.edges[i] as number) > (h.edges[i - 1] as number))) {
        ctx.addIssue({ code: 'custom', path: ['edges', i], message: 'edges must be strictly increasing' });
        break;
      }
    }
    const total = h.counts.reduce((a, b) => a + b, 0) + h.missing;
    return {
      ts: h.ts, model: h.model, version: h.version, feature: h.feature,
      value: null as number | null,
      category: null as string | null,
      observations: total,
      hist_edges: h.edges,
      hist_counts: h.counts,
      hist_missing: h.missing,
    };
  });

export function featureSchemaFor(input: unknown): typeof observation | typeof histogram {
  return typeof input === 'object' && input !== null && 'edges' in input ? histogram : observation;
}

export type FeatureRow = z.output<typeof observation>;
