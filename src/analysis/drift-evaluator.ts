import {
  assessWindow, DEFAULT_DRIFT_POLICY, DEFAULT_EPISODE_OPTIONS, driftShare, trackEpisodes,
  type Baseline, type DriftEpisode, type DriftPolicy, type DriftShare, type EpisodeOptions, type WindowAssessment, type WindowCounts, type WindowVerdict,
} from '../domain/drift/index.js';
import type { FeatureBins, StoredBaseline, WindowBins, WindowBinsQuery } from '../store/index.js';

export interface DriftSettings {
  /** Length of one scored window (whole windows only; the current partial one waits). */
  windowMs: number;
  /** Windows scored and kept for episodes, ending at the last whole window. */
  lookbackWindows: number;
  policy: DriftPolicy;
  episodes: EpisodeOptions;
}

export const DEFAULT_DRIFT_SETTINGS: DriftSettings = { windowMs: 3_600_000, lookbackWindows: 24, policy: DEFAULT_DRIFT_POLICY, episodes: DEFAULT_EPISODE_OPTIONS };

export interface ScoredWindow {
  start: number;
  end: number;
  assessment: WindowAssessment;
}

export interface FeatureDrift {
  feature: string;
  baselineVersion: string;
  kind: Baseline['kind'];
  windows: ScoredWindow[];
  episodes: DriftEpisode[];
  drifting: boolean;
}

export interface ModelDrift {
  model: string;
  evaluatedAt: number;
  features: FeatureDrift[];
  share: DriftShare;
  openEpisodes: Array<DriftEpisode & { feature: string }>;
}

/** The store reads drift evaluation needs (WindowBinner.bins, bound to a client). */
export type WindowBinsReader = (q: WindowBinsQuery) => Promise<WindowBins[]>;

/** A version-less baseline applies to every version; otherwise the latest registered one is used. */
function baselinePerFeature(baselines: readonly StoredBaseline[]): Map<string, StoredBaseline> {
  const chosen = new Map<string, StoredBaseline>();
  for (const b of baselines) {
    const current = chosen.get(b.feature);
    const better = !current || (current.version !== '' && (b.version === '' || b.created_at > current.created_at));
    if (better) chosen.set(b.feature, b);
  }
  return chosen;
}

function featureBins(feature: string, baseline: Baseline): FeatureBins {
  if (baseline.kind === 'numeric') return { feature, kind: 'numeric', edges: baseline.edges };
  return { feature, kind: 'categorical', categories: baseline.categories.map((c) => c.value), known: baseline.otherCategories };
}

function windowCounts(baseline: Baseline, bins: WindowBins | undefined): WindowCounts {
  const width = baseline.kind === 'numeric' ? baseline.edges.length + 1 : baseline.categories.length + 1;
  const counts = bins?.counts ?? new Array<number>(width).fill(0);
  if (baseline.kind === 'numeric') return { counts, missing: bins?.missing ?? 0 };
  const unseen = bins?.unseen ?? [];
  return {
    counts: counts.slice(0, baseline.categories.length),
    other: counts[baseline.categories.length] ?? 0,
    missing: bins?.missing ?? 0,
    unseen,
    unseenTotal: bins?.unseenTotal ?? 0,
  };
}

/** Stored verdicts of a model's windows in [from, to), per feature (drift_scores), oldest first. */
export type EarlierVerdictsReader = (model: string, from: number, to: number) => Promise<ReadonlyMap<string, WindowVerdict[]>>;

/** How far before the lookback an episode still open at its first window is followed back (30 days). */
export const EPISODE_HISTORY_MS = 30 * 86_400_000;

/**
 * An episode open since the lookback's first window may have begun earlier: fold the stored verdicts
 * before it in, so the episode keeps its true start (and the retrain it triggered, its idempotency
 * key) however long it lasts. Episodes that ended before the lookback are dropped.
 */
async function followEpisodesBack(features: FeatureDrift[], model: string, from: number, readEarlier: EarlierVerdictsReader | undefined, settings: DriftSettings): Promise<FeatureDrift[]> {
  const truncated = features.filter((f) => f.episodes.some((e) => e.end === null && e.start === from));
  if (readEarlier === undefined || truncated.length === 0) return features;
  const earlier = await readEarlier(model, from - EPISODE_HISTORY_MS, from);
  return features.map((f) => {
    if (!truncated.includes(f)) return f;
    const current: WindowVerdict[] = f.windows.map((w) => ({ start: w.start, end: w.end, status: w.assessment.decision.status, psi: w.assessment.psi }));
    const history = trackEpisodes([...(earlier.get(f.feature) ?? []).filter((v) => v.start < from), ...current], settings.episodes);
    return { ...f, episodes: history.episodes.filter((e) => e.end === null || e.end > from), drifting: history.drifting };
  });
}

/**
 * Scores every feature of a model with a baseline over the lookback: binning in ClickHouse, PSI and
 * the sample-size-aware decision in the domain, episodes from consecutive windows (followed back
 * through stored verdicts when one began before the lookback). Windows with no observations are
 * scored too (as insufficient data), so a model that goes quiet never looks healthy.
 */
export async function evaluateModelDrift(
  readBins: WindowBinsReader,
  model: string,
  baselines: readonly StoredBaseline[],
  now: number,
  settings: DriftSettings = DEFAULT_DRIFT_SETTINGS,
  readEarlier?: EarlierVerdictsReader,
): Promise<ModelDrift> {
  const chosen = baselinePerFeature(baselines.filter((b) => b.model === model));
  const end = Math.floor(now / settings.windowMs) * settings.windowMs;
  const from = end - settings.lookbackWindows * settings.windowMs;
  const bins = await readBins({ model, features: [...chosen.entries()].map(([f, b]) => featureBins(f, b.baseline)), from, to: end, windowMs: settings.windowMs });
  const byKey = new Map(bins.map((b) => [`${b.feature}\u0000${b.windowStart}`, b]));
  const scored: FeatureDrift[] = [];
  for (const [feature, stored] of [...chosen.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const windows: ScoredWindow[] = [];
    for (let start = from; start < end; start += settings.windowMs) {
      const counts = windowCounts(stored.baseline, byKey.get(`${feature}\u0000${start}`));
      windows.push({ start, end: start + settings.windowMs, assessment: assessWindow(stored.baseline, counts, settings.policy) });
    }
    const history = trackEpisodes(windows.map((w) => ({ start: w.start, end: w.end, status: w.assessment.decision.status, psi: w.assessment.psi })), settings.episodes);
    scored.push({ feature, baselineVersion: stored.version, kind: stored.baseline.kind, windows, episodes: history.episodes, drifting: history.drifting });
  }
  const features = await followEpisodesBack(scored, model, from, readEarlier, settings);
  const share = driftShare(features.map((f) => ({ feature: f.feature, drifting: f.windows.some((w) => w.assessment.decision.status !== 'insufficient') ? f.drifting : null })));
  const openEpisodes = features.flatMap((f) => f.episodes.filter((e) => e.end === null).map((e) => ({ ...e, feature: f.feature })));
  return { model, evaluatedAt: now, features, share, openEpisodes };
}
