import { categoricalBaselineFromCounts, edgesFromQuantiles, numericBaselineFromCounts, type Baseline, type PsiMethod } from '../domain/drift/index.js';
import { MlwardenError } from '../domain/errors.js';
import type { FeatureProfile, WindowBins, WindowBinsQuery } from '../store/index.js';

export interface ServingBaselineRequest {
  model: string;
  version?: string | undefined;
  features?: readonly string[] | undefined;
  from: number;
  to: number;
  bins: number;
  topK: number;
  method: PsiMethod;
}

export interface ServingBaselineDeps {
  profile: (q: ServingBaselineRequest) => Promise<FeatureProfile[]>;
  readBins: (q: WindowBinsQuery) => Promise<WindowBins[]>;
}

/**
 * Baselines from a time range of already-ingested serving data: quantile edges (numeric) or the top-K
 * categories (categorical) from ClickHouse, then the range's counts binned against them, in SQL too.
 */
export async function baselinesFromServing(deps: ServingBaselineDeps, q: ServingBaselineRequest): Promise<Array<{ feature: string; baseline: Baseline }>> {
  const profiles = (await deps.profile(q)).filter((p) => p.observed > 0);
  if (profiles.length === 0) throw new MlwardenError('invalid', `no feature observations of model ${q.model} in the range`, { problems: [{ field: 'from', reason: 'the range holds no raw feature observations' }] });
  const out: Array<{ feature: string; baseline: Baseline }> = [];
  const numeric = profiles.filter((p) => p.kind === 'numeric').map((p) => ({ feature: p.feature, kind: 'numeric' as const, edges: edgesFromQuantiles(p.quantiles) }));
  const counted = numeric.length === 0 ? [] : await deps.readBins({ model: q.model, version: q.version, features: numeric, from: q.from, to: q.to, windowMs: 0 });
  for (const f of numeric) {
    const bins = counted.find((b) => b.feature === f.feature);
    out.push({ feature: f.feature, baseline: numericBaselineFromCounts({ edges: f.edges, counts: bins?.counts ?? new Array<number>(f.edges.length + 1).fill(0), missing: bins?.missing ?? 0 }, { method: q.method }) });
  }
  for (const p of profiles.filter((x) => x.kind === 'categorical')) {
    const inTop = p.top.reduce((a, c) => a + c.count, 0);
    out.push({ feature: p.feature, baseline: categoricalBaselineFromCounts({ categories: p.top, other: p.observed - inTop, missing: p.missing }, { method: q.method }) });
  }
  return out.sort((a, b) => a.feature.localeCompare(b.feature));
}
