import { describe, expect, test } from 'vitest';
import { driftEpisodeSignal } from '../../src/analysis/index.js';
import type { ModelDrift } from '../../src/analysis/drift-evaluator.js';

const T = Date.parse('2026-11-20T10:00:00Z');
const H = 3_600_000;
const episode = (feature: string, start: number, peakPsi: number) => ({ feature, start, openedAt: start + 3 * H, end: null, closedAt: null, peakPsi, peakAt: start + H });

function drift(openEpisodes: ModelDrift['openEpisodes']): ModelDrift {
  return { model: 'fraud', evaluatedAt: T, features: [], share: { share: 0.5, drifting: ['amount', 'merchant'], assessed: 4, unknown: 0 }, openEpisodes };
}

describe('drift episode signal for the policy engine', () => {
  test('no open feature episode, no signal', () => {
    expect(driftEpisodeSignal(drift([]))).toBeUndefined();
  });

  test('the model episode starts with its earliest open feature episode, so its idempotency key holds while it lasts', () => {
    const signal = driftEpisodeSignal(drift([episode('merchant', T - 2 * H, 0.3), episode('amount', T - 5 * H, 0.45)]));
    expect(signal).toEqual({ kind: 'drift_episode', model: 'fraud', episodeStart: T - 5 * H, openedAt: T - 2 * H, driftShare: 0.5, peakPsi: 0.45, features: ['amount', 'merchant'] });
    const later = driftEpisodeSignal(drift([episode('merchant', T - 2 * H, 0.5), episode('amount', T - 5 * H, 0.45), episode('country', T - H, 0.2)]));
    expect(later?.episodeStart).toBe(signal?.episodeStart);
  });
});
