import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { ModelDrift, ServingBaselineRequest } from '../../analysis/index.js';
import { buildCategoricalBaseline, buildNumericBaseline, PSI_METHODS, type Baseline } from '../../domain/drift/index.js';
import { isMlwardenError, MlwardenError } from '../../domain/errors.js';
import type { StoredBaseline } from '../../store/index.js';
import { requireScope, type Authenticator } from '../auth.js';
import { parseJsonBody } from '../json-body.js';
import { problemResponse } from '../problem.js';
import { parseQuery } from '../query-params.js';

export interface DriftRoutesDeps {
  auth: Authenticator;
  /** Baselines from a time range of ingested serving data (POST /v1/baselines with from/to). */
  fromServing: (q: ServingBaselineRequest) => Promise<Array<{ feature: string; baseline: Baseline }>>;
  latest: (model: string) => ModelDrift | undefined;
  models: () => string[];
  saveBaselines: (entries: StoredBaseline[]) => Promise<void>;
  now: () => number;
  maxBodyBytes: number;
}

const name = z.string().min(1).max(256);
const featureInput = z.strictObject({
  kind: z.enum(['numeric', 'categorical']).optional(),
  values: z.array(z.union([z.number(), z.string().max(256), z.null()])).min(1),
});
const common = {
  model: name,
  version: z.string().max(256).default(''),
  method: z.enum(PSI_METHODS).default('mlwarden'),
  bins: z.number().int().min(2).max(1000).default(10),
  top_k: z.number().int().min(1).max(1000).default(20),
};
const instant = z.union([z.number().int(), z.iso.datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
/** Training data given as values per feature. */
const fromValues = z.strictObject({
  ...common,
  features: z.record(name, featureInput).refine((f) => Object.keys(f).length > 0, 'needs at least one feature'),
});
/** A time range of serving data already ingested (optionally only some features). */
const fromRange = z
  .strictObject({ ...common, from: instant, to: instant, features: z.array(name).optional() })
  .refine((r) => r.from < r.to, { message: 'must be before to', path: ['from'] });
const baselineRequest = z.union([fromValues, fromRange]);
const driftQuery = z.strictObject({ model: name.optional() });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function buildBaseline(feature: string, input: z.output<typeof featureInput>, req: z.output<typeof fromValues>): Baseline {
  const present = input.values.filter((v) => v !== null);
  const kind = input.kind ?? (present.every((v) => typeof v === 'number') ? 'numeric' : 'categorical');
  try {
    if (kind === 'numeric') {
      if (present.some((v) => typeof v !== 'number')) throw new MlwardenError('invalid', 'numeric feature with a non-number value', { problems: [{ field: `features.${feature}.values`, reason: 'a numeric feature takes numbers or null' }] });
      return buildNumericBaseline(input.values as Array<number | null>, { bins: req.bins, method: req.method });
    }
    return buildCategoricalBaseline(input.values.map((v) => (v === null ? null : String(v))), { topK: req.top_k, method: req.method });
  } catch (error) {
    if (isMlwardenError(error)) throw new MlwardenError('invalid', `feature ${feature}: ${error.message}`, { problems: error.problems.map((p) => ({ ...p, field: `features.${feature}.${p.field}` })) });
    throw error;
  }
}

export function driftView(drift: ModelDrift) {
  return {
    model: drift.model,
    evaluated_at: iso(drift.evaluatedAt),
    drift_share: drift.share.share,
    drifting_features: drift.share.drifting,
    features: drift.features.map((f) => {
      const last = f.windows.at(-1);
      return {
        feature: f.feature,
        kind: f.kind,
        baseline_version: f.baselineVersion,
        psi: last?.assessment.psi ?? null,
        threshold: last?.assessment.decision.threshold ?? null,
        status: last?.assessment.decision.status ?? 'insufficient',
        drifting: f.drifting,
        unseen_categories: last?.assessment.unseen ?? [],
        windows: f.windows.map((w) => ({
          start: iso(w.start),
          end: iso(w.end),
          psi: w.assessment.psi,
          jensen_shannon: w.assessment.jensenShannon,
          status: w.assessment.decision.status,
          threshold: w.assessment.decision.threshold,
          critical_value: w.assessment.decision.criticalValue,
          n: w.assessment.m,
          reason: w.assessment.decision.reason,
        })),
        episodes: f.episodes.map((e) => ({ start: iso(e.start), opened_at: iso(e.openedAt), end: iso(e.end), peak_psi: e.peakPsi, peak_at: iso(e.peakAt) })),
      };
    }),
    open_episodes: drift.openEpisodes.map((e) => ({ feature: e.feature, start: iso(e.start), peak_psi: e.peakPsi })),
  };
}

export function driftRoutes(deps: DriftRoutesDeps): Hono {
  const app = new Hono();

  app.get('/v1/drift', requireScope(deps.auth, 'read'), (c) => {
    const q = parseQuery(driftQuery, c.req.query());
    if (q.model === undefined) return c.json(deps.models().flatMap((m) => { const d = deps.latest(m); return d ? [driftView(d)] : []; }));
    const drift = deps.latest(q.model);
    if (!drift) throw new MlwardenError('not-found', `no drift evaluation for model ${q.model.slice(0, 64)} yet (register a baseline with POST /v1/baselines)`);
    return c.json(driftView(drift));
  });

  app.post(
    '/v1/baselines',
    requireScope(deps.auth, 'admin'),
    bodyLimit({ maxSize: deps.maxBodyBytes, onError: (c) => problemResponse(c, new MlwardenError('too-large', `a baseline body is at most ${deps.maxBodyBytes} bytes`)) }),
    async (c) => {
      const req = await parseJsonBody(c, baselineRequest);
      const now = deps.now();
      const built =
        'from' in req
          ? (await deps.fromServing({ model: req.model, version: req.version, features: req.features, from: req.from, to: req.to, bins: req.bins, topK: req.top_k, method: req.method })).map((b) => ({ ...b, source: 'serving' }))
          : Object.entries(req.features).map(([feature, input]) => ({ feature, baseline: buildBaseline(feature, input, req), source: 'training' }));
      const entries = built.map((b) => ({ model: req.model, version: req.version, feature: b.feature, baseline: b.baseline, source: b.source, created_at: now }));
      await deps.saveBaselines(entries);
      return c.json(entries.map((e) => ({ model: e.model, version: e.version, feature: e.feature, baseline: e.baseline })), 201);
    },
  );

  return app;
}
