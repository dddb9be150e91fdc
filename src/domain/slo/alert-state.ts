export type AlertPhase = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertState {
  phase: AlertPhase;
  /** When the current phase began. */
  since: number;
  /** When the alert last started firing (kept through resolution, for startsAt and MTTR). */
  firingSince?: number | undefined;
}

export const INACTIVE: AlertState = { phase: 'inactive', since: 0 };

/**
 * One evaluation step: a condition must hold for `forMs` (pending) before the alert fires; a firing
 * alert resolves the first time the condition is false.
 */
export function stepAlert(previous: AlertState, condition: boolean, now: number, forMs: number): AlertState {
  const active = previous.phase === 'pending' || previous.phase === 'firing';
  if (!condition) {
    if (previous.phase === 'firing') return { phase: 'resolved', since: now, firingSince: previous.firingSince };
    return previous.phase === 'pending' ? { phase: 'inactive', since: now } : previous;
  }
  if (previous.phase === 'firing') return previous;
  const pendingSince = active ? previous.since : now;
  if (now - pendingSince >= forMs) return { phase: 'firing', since: now, firingSince: now };
  return { phase: 'pending', since: pendingSince };
}
