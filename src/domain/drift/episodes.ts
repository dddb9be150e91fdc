/**
 * Drift episodes: smoothing over windows, so one noisy window never triggers anything.
 *   - An episode opens when `openAfter` (N, default 3) consecutive windows are drifting. Its `start`
 *     is the start of the first of them (when the drift began); `openedAt` the end of the N-th (when
 *     it was confirmed).
 *   - It closes when `closeAfter` (M, default N) consecutive windows are ok. Its `end` is the start
 *     of the first of those ok windows; `closedAt` the end of the M-th. `end` is null while open.
 *   - A drifting window during the closing run resets it.
 *   - "insufficient" windows carry no evidence either way: they neither count toward nor break a
 *     run, so they can neither open nor close an episode (a quiet night between two drifting
 *     windows does not reset the count; a quiet night after the drift does not close the episode).
 *   - `peakPsi`/`peakAt`: the highest PSI among the episode's drifting windows (including those
 *     before it opened) and the start of that window.
 * Pure: `stepEpisodes` folds one window into a serialisable state; `trackEpisodes` folds a history.
 */
import { invalidDriftInput } from './drift-error.js';
import type { WindowStatus } from './drift-decision.js';

export interface WindowVerdict {
  /** Window bounds, ms since the epoch (UTC). */
  start: number;
  end: number;
  status: WindowStatus;
  psi: number | null;
}

export interface EpisodeOptions {
  openAfter: number;
  closeAfter: number;
}

export const DEFAULT_EPISODE_OPTIONS: Readonly<EpisodeOptions> = { openAfter: 3, closeAfter: 3 };

export interface DriftEpisode {
  start: number;
  openedAt: number;
  end: number | null;
  closedAt: number | null;
  peakPsi: number;
  peakAt: number;
}

export interface EpisodeState {
  /** The open episode, or null. */
  open: DriftEpisode | null;
  /** Consecutive drifting windows (no episode open) or consecutive ok windows (episode open). */
  run: number;
  runStart: number | null;
  /** Peak of the pending drifting run, before an episode opens. */
  runPeak: { psi: number; at: number } | null;
  lastWindowStart: number | null;
}

export const NO_EPISODE: EpisodeState = { open: null, run: 0, runStart: null, runPeak: null, lastWindowStart: null };

export interface EpisodeStep {
  state: EpisodeState;
  opened?: DriftEpisode;
  closed?: DriftEpisode;
}

const higher = (peak: { psi: number; at: number } | null, w: WindowVerdict) =>
  w.psi !== null && (peak === null || w.psi > peak.psi) ? { psi: w.psi, at: w.start } : peak;

function stepClosed(state: EpisodeState, w: WindowVerdict, options: EpisodeOptions): EpisodeStep {
  if (w.status !== 'drifting') return { state: { ...state, run: 0, runStart: null, runPeak: null } };
  const run = state.run + 1;
  const runStart = state.runStart ?? w.start;
  const peak = higher(state.runPeak, w) ?? { psi: Number.NaN, at: w.start };
  if (run < options.openAfter) return { state: { ...state, run, runStart, runPeak: peak } };
  const opened: DriftEpisode = { start: runStart, openedAt: w.end, end: null, closedAt: null, peakPsi: peak.psi, peakAt: peak.at };
  return { state: { ...state, open: opened, run: 0, runStart: null, runPeak: null }, opened };
}

function stepOpen(state: EpisodeState, open: DriftEpisode, w: WindowVerdict, options: EpisodeOptions): EpisodeStep {
  if (w.status === 'drifting') {
    const peak = higher({ psi: open.peakPsi, at: open.peakAt }, w);
    const updated = peak ? { ...open, peakPsi: peak.psi, peakAt: peak.at } : open;
    return { state: { ...state, open: updated, run: 0, runStart: null } };
  }
  const run = state.run + 1;
  const runStart = state.runStart ?? w.start;
  if (run < options.closeAfter) return { state: { ...state, run, runStart } };
  const closed: DriftEpisode = { ...open, end: runStart, closedAt: w.end };
  return { state: { ...state, open: null, run: 0, runStart: null, runPeak: null }, closed };
}

/** Folds one window (in time order) into the episode state. */
export function stepEpisodes(state: EpisodeState, w: WindowVerdict, options: EpisodeOptions = DEFAULT_EPISODE_OPTIONS): EpisodeStep {
  if (state.lastWindowStart !== null && w.start <= state.lastWindowStart) {
    throw invalidDriftInput('windows', `must be in time order: a window starting at ${w.start} follows one starting at ${state.lastWindowStart}`);
  }
  if (w.status === 'insufficient') return { state: { ...state, lastWindowStart: w.start } };
  const step = state.open === null ? stepClosed(state, w, options) : stepOpen(state, state.open, w, options);
  return { ...step, state: { ...step.state, lastWindowStart: w.start } };
}

export interface FeatureDriftHistory {
  /** Every episode in time order; the last one has end = null while it is still open. */
  episodes: DriftEpisode[];
  drifting: boolean;
  state: EpisodeState;
}

function checkOptions(options: EpisodeOptions): void {
  for (const key of ['openAfter', 'closeAfter'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw invalidDriftInput(key, `must be a positive integer, got ${options[key]}`);
  }
}

/** Episodes of one feature from its ordered window verdicts. */
export function trackEpisodes(windows: readonly WindowVerdict[], options: Partial<EpisodeOptions> = {}): FeatureDriftHistory {
  const openAfter = options.openAfter ?? DEFAULT_EPISODE_OPTIONS.openAfter;
  const resolved = { openAfter, closeAfter: options.closeAfter ?? openAfter };
  checkOptions(resolved);
  const episodes: DriftEpisode[] = [];
  let state = NO_EPISODE;
  for (const w of windows) {
    const step = stepEpisodes(state, w, resolved);
    if (step.closed) episodes.push(step.closed);
    state = step.state;
  }
  if (state.open) episodes.push(state.open);
  return { episodes, drifting: state.open !== null, state };
}
