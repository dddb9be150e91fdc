/**
 * The signals a backtest replays, rebuilt from stored history as the live loops would have seen
 * them at an instant: drift episodes from scored feature-windows (the drift loop's fold), firing
 * SLO alerts from alert state changes (the alert engine's phases).
 */
import { driftShare, trackEpisodes, type EpisodeOptions, type WindowStatus } from '../drift/index.js';
import type { DriftEpisodeSignal, SloAlertSignal } from './signals.js';

/** One scored feature-window as `drift_scores` keeps it; visible once the window has ended. */
export interface FeatureWindow {
  model: string;
  feature: string;
  start: number;
  end: number;
  status: WindowStatus;
  psi: number | null;
}

export interface DriftReplayOptions {
  episodes: EpisodeOptions;
  /** Windows the live drift evaluator folds, ending at the last whole window (its lookback). */
  lookbackWindows: number;
  windowMs: number;
}

/** One alert state change as `alert_events` keeps it. */
export interface AlertChange {
  ts: number;
  slo: string;
  severity: string;
  dedupeKey: string;
  groupLabels: Record<string, string>;
  state: string;
  since: number;
  firingSince: number | null;
}

/** An alert's firing interval: from the change that made it fire to the next change that did not. */
export interface FiringInterval {
  slo: string;
  severity: 'page' | 'ticket';
  groupLabels: Record<string, string>;
  firingSince: number;
  /** When the alert was seen firing (the state change), and when it stopped (null: still firing at the end). */
  from: number;
  until: number | null;
}

function windowsAt(windows: readonly FeatureWindow[], now: number, o: DriftReplayOptions): Map<string, FeatureWindow[]> {
  const end = Math.floor(now / o.windowMs) * o.windowMs;
  const from = end - o.lookbackWindows * o.windowMs;
  const byFeature = new Map<string, FeatureWindow[]>();
  for (const w of windows) {
    if (w.start < from || w.end > end) continue;
    byFeature.set(w.feature, [...(byFeature.get(w.feature) ?? []), w]);
  }
  return byFeature;
}

/** The model's drift episode signal at `now`, as analysis/policy-signals.ts builds it from the drift loop. */
export function driftSignalAt(model: string, windows: readonly FeatureWindow[], now: number, o: DriftReplayOptions): DriftEpisodeSignal | undefined {
  const features = [...windowsAt(windows.filter((w) => w.model === model), now, o).entries()].map(([feature, ws]) => {
    const sorted = [...ws].sort((a, b) => a.start - b.start);
    return { feature, sorted, history: trackEpisodes(sorted, o.episodes) };
  });
  const open = features.flatMap((f) => f.history.episodes.filter((e) => e.end === null).map((e) => ({ ...e, feature: f.feature })));
  if (open.length === 0) return undefined;
  const share = driftShare(features.map((f) => ({ feature: f.feature, drifting: f.sorted.some((w) => w.status !== 'insufficient') ? f.history.drifting : null })));
  return {
    kind: 'drift_episode', model,
    episodeStart: Math.min(...open.map((e) => e.start)),
    openedAt: Math.min(...open.map((e) => e.openedAt)),
    driftShare: share.share ?? 0,
    peakPsi: Math.max(...open.map((e) => e.peakPsi)),
    features: [...new Set(open.map((e) => e.feature))].sort(),
  };
}

const severityOf = (s: string): 'page' | 'ticket' => (s === 'page' ? 'page' : 'ticket');

/** Firing intervals per alert (dedupe key), in time order. */
export function firingIntervals(changes: readonly AlertChange[]): FiringInterval[] {
  const out: FiringInterval[] = [];
  const open = new Map<string, FiringInterval>();
  for (const c of [...changes].sort((a, b) => a.ts - b.ts)) {
    const current = open.get(c.dedupeKey);
    if (c.state === 'firing' && current === undefined) {
      const interval: FiringInterval = { slo: c.slo, severity: severityOf(c.severity), groupLabels: c.groupLabels, firingSince: c.firingSince ?? c.since, from: c.ts, until: null };
      open.set(c.dedupeKey, interval);
      out.push(interval);
    } else if (c.state !== 'firing' && current !== undefined) {
      current.until = c.ts;
      open.delete(c.dedupeKey);
    }
  }
  return out;
}

export const firingAt = (i: FiringInterval, now: number): boolean => i.from <= now && (i.until === null || now < i.until);

/**
 * The alert as the policy engine sees it. A stored firing alert had enough traffic (the alert engine
 * does not fire on insufficient data), so its data is 'ok'. The store keeps no rollouts: rollout null.
 */
export function alertSignalOf(i: FiringInterval, model: string, serving: SloAlertSignal['serving']): SloAlertSignal {
  return { kind: 'slo_alert', slo: i.slo, severity: i.severity, firingSince: i.firingSince, data: 'ok', model, serving, rollout: null };
}
