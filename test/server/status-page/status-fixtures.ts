/**
 * Real view models without a store: SLOs evaluated by the real evaluator over synthetic counts, drift
 * scored by the real drift evaluator over synthetic bins, actions shaped like ActionLog rows.
 */
import { DEFAULT_DRIFT_SETTINGS, evaluateModelDrift, evaluateSlo, type ModelDrift, type SloEvaluation } from '../../../src/analysis/index.js';
import { buildNumericBaseline } from '../../../src/domain/drift/index.js';
import { loadSloSpecs, type Slo } from '../../../src/domain/slo/index.js';
import { sloView, type SloSummary } from '../../../src/server/index.js';
import type { ActionEntry, StoredBaseline, WindowBinsQuery } from '../../../src/store/index.js';
import { seededRandom } from '../../support/random.js';

export const NOW = Date.UTC(2026, 10, 24, 12, 0, 30);
const H = 3_600_000;

const spec = (name: string, latency: boolean) => `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  objective: 99.9
  window: 30d
  sli: ${latency ? '{ type: latency, model: fraud, threshold_ms: 250 }' : '{ type: availability, model: fraud }'}
  alerting: { min_events: 100 }
`;

export function slos(count: number): Slo[] {
  const text = Array.from({ length: count }, (_, i) => spec(`slo-${String(i).padStart(3, '0')}`, i % 2 === 1)).join('---\n');
  return loadSloSpecs([{ name: 'fixtures.yaml', text }], NOW);
}

/** Every window of SLO i carries 100,000 events; SLO 0 burns hard in its short windows, the rest lightly. */
export async function evaluations(list: readonly Slo[]): Promise<Map<string, SloEvaluation>> {
  const out = new Map<string, SloEvaluation>();
  for (const [i, slo] of list.entries()) {
    const badShare = (w: number) => (i % 10 === 0 && w < 3 ? 0.02 : 0.0002 * ((i % 7) + 1));
    out.set(slo.name, await evaluateSlo(async (q) => [{ labels: {}, counts: q.starts.map((_, w) => ({ total: 100_000, good: Math.round(100_000 * (1 - badShare(w))) })) }], slo, NOW));
  }
  return out;
}

export async function sloSummaries(count: number): Promise<SloSummary[]> {
  const list = slos(count);
  const evaluated = await evaluations(list);
  return list.map((s) => sloView(s, { latest: (n) => evaluated.get(n), lastError: () => undefined, alerts: () => [] }));
}

/** `features` numeric features over 12 hourly windows; every third feature shifts from window 6 on. */
export async function modelDrift(model: string, features: number, name: (i: number) => string = (i) => `f${i}`): Promise<ModelDrift> {
  const random = seededRandom(7);
  const baselines: StoredBaseline[] = Array.from({ length: features }, (_, i) => ({
    model, version: '', feature: name(i), source: 'training', created_at: 0,
    baseline: buildNumericBaseline(Array.from({ length: 2000 }, () => random() + random() + random()), { bins: 10 }),
  }));
  const readBins = async (q: WindowBinsQuery) =>
    q.features.flatMap((f, i) => Array.from({ length: (q.to - q.from) / q.windowMs }, (_, w) => {
      const base = baselines[i]?.baseline;
      const counts = base?.kind === 'numeric' ? base.counts.map((c, b) => (i % 3 === 0 && w >= 6 ? Math.round(c * (0.3 + (b / base.counts.length) * 1.4)) : c)) : [];
      return { feature: f.feature, windowStart: q.from + w * q.windowMs, counts, missing: 0, unseen: [], unseenTotal: 0, mismatchedHistograms: 0 };
    }));
  return evaluateModelDrift(readBins, model, baselines, NOW, { ...DEFAULT_DRIFT_SETTINGS, windowMs: H, lookbackWindows: 12 });
}

export function action(overrides: Partial<ActionEntry> = {}): ActionEntry {
  return {
    id: 'a-1', policy: 'retrain-fraud', kind: 'retrain', target: 'model/fraud', status: 'done', reason: 'drift episode on fraud', cause: { model: 'fraud', peak_psi: 0.42 },
    plan: {}, denied_by: '', outcome: 'succeeded', victims: [], actor: '', created_at: NOW - H, updated_at: NOW - H, finished_at: NOW - H / 2, ...overrides,
  };
}
