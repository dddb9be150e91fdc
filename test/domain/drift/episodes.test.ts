import { describe, expect, test } from 'vitest';
import { driftShare, trackEpisodes, type WindowStatus, type WindowVerdict } from '../../../src/domain/drift/index.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const CODE: Record<string, WindowStatus> = { d: 'drifting', o: 'ok', i: 'insufficient' };

/** Hourly windows from a compact script: "ddo" = drifting, drifting, ok; PSI from `psi` when given. */
function windows(script: string, psi: number[] = []): WindowVerdict[] {
  return [...script].map((c, k) => ({
    start: T0 + k * H,
    end: T0 + (k + 1) * H,
    status: CODE[c] as WindowStatus,
    psi: c === 'i' ? null : (psi[k] ?? (c === 'd' ? 0.3 : 0.02)),
  }));
}
const at = (k: number) => T0 + k * H;

describe('drift episodes (N = 3 to open, M = N to close)', () => {
  test.each([
    ['two drifting windows open nothing', 'dd', []],
    ['three drifting windows open an episode, starting at the first and confirmed at the end of the third', 'ddd', [{ start: at(0), openedAt: at(3), end: null, closedAt: null }]],
    ['an ok window breaks the run', 'ddoddo', []],
    ['the run may start anywhere', 'oodddo', [{ start: at(2), openedAt: at(5), end: null }]],
    ['insufficient windows neither count toward a run nor break it', 'didid', [{ start: at(0), openedAt: at(5) }]],
    ['insufficient windows alone never open an episode', 'iiiiii', []],
    ['insufficient windows do not close an open episode', 'ddd' + 'iiiiii', [{ end: null }]],
    ['three ok windows close it: end is the start of the first ok window, closedAt the end of the third', 'dddooo', [{ start: at(0), end: at(3), closedAt: at(6) }]],
    ['a drifting window during the closing run restarts it', 'dddoodooo', [{ end: at(6), closedAt: at(9) }]],
    ['insufficient windows inside the closing run are skipped', 'dddoioio', [{ end: at(3), closedAt: at(8) }]],
    ['a second episode needs three new drifting windows', 'dddooodddd', [{ end: at(3) }, { start: at(6), openedAt: at(9), end: null }]],
  ])('%s', (_sentence, script, expected) => {
    const history = trackEpisodes(windows(script));
    expect(history.episodes).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(history.episodes[i]).toMatchObject(e));
    expect(history.drifting).toBe(expected.length > 0 && history.episodes.at(-1)?.end === null);
  });

  test('the peak is the highest PSI among the episode\'s drifting windows, with when it happened (before opening counts too)', () => {
    const history = trackEpisodes(windows('ddddood', [0.2, 0.9, 0.3, 0.5, 0.01, 0.01, 0.7]));
    expect(history.episodes[0]).toMatchObject({ peakPsi: 0.9, peakAt: at(1) });
  });

  test('N and M are configurable: open after 2, close after 1', () => {
    expect(trackEpisodes(windows('ddo'), { openAfter: 2, closeAfter: 1 }).episodes).toEqual([
      { start: at(0), openedAt: at(2), end: at(2), closedAt: at(3), peakPsi: 0.3, peakAt: at(0) },
    ]);
  });

  test('M defaults to N', () => {
    expect(trackEpisodes(windows('ddoo'), { openAfter: 2 }).drifting).toBe(false);
    expect(trackEpisodes(windows('ddo'), { openAfter: 2 }).drifting).toBe(true);
  });

  test('windows out of time order are refused', () => {
    const [a, b] = windows('dd');
    expect(() => trackEpisodes([b as WindowVerdict, a as WindowVerdict])).toThrow(/windows: must be in time order/);
  });

  test('N must be a positive integer', () => {
    expect(() => trackEpisodes([], { openAfter: 0 })).toThrow(/openAfter: must be a positive integer/);
  });
});

describe('model-level drift share', () => {
  test.each([
    ['the fraction of assessed features that are drifting', [{ feature: 'a', drifting: true }, { feature: 'b', drifting: false }, { feature: 'c', drifting: false }, { feature: 'd', drifting: false }], 0.25],
    ['weighted by importance when weights are given', [{ feature: 'a', drifting: true, weight: 3 }, { feature: 'b', drifting: false, weight: 1 }], 0.75],
    ['features not assessed yet are left out, not counted as healthy', [{ feature: 'a', drifting: true }, { feature: 'b', drifting: null }], 1],
    ['unknown when no feature is assessed', [{ feature: 'a', drifting: null }], null],
  ])('%s', (_sentence, features, share) => {
    expect(driftShare(features).share).toBe(share);
  });

  test('names the drifting features and counts the unknown ones', () => {
    expect(driftShare([{ feature: 'a', drifting: true }, { feature: 'b', drifting: null }, { feature: 'c', drifting: false }])).toEqual({ share: 0.5, drifting: ['a'], assessed: 2, unknown: 1 });
  });
});
