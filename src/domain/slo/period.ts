import { formatDuration } from './duration.js';

/** The time an SLO's budget covers: a rolling duration, or the current calendar week/month in a zone. */
export type SloWindow =
  | { kind: 'rolling'; durationMs: number }
  | { kind: 'calendar'; unit: 'week' | 'month'; timeZone: string };

export interface Period {
  start: number;
  end: number;
  /** Length of the whole period (a calendar month is 28–31 days; a rolling window its duration). */
  lengthMs: number;
}

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function zonedParts(instant: number, timeZone: string): ZonedParts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), weekday: WEEKDAYS[parts.weekday as string] as number,
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second),
  };
}

/** The UTC instant of a wall-clock time in a zone (DST-aware: corrects by the zone's offset at that instant). */
function zonedInstant(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(instant, timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    instant = guess - (asUtc - instant);
  }
  return instant;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The budget period containing `now`. Calendar weeks start on Monday (ISO 8601). */
export function periodAt(window: SloWindow, now: number): Period {
  if (window.kind === 'rolling') return { start: now - window.durationMs, end: now, lengthMs: window.durationMs };
  const p = zonedParts(now, window.timeZone);
  if (window.unit === 'month') {
    const start = zonedInstant(p.year, p.month, 1, window.timeZone);
    const end = p.month === 12 ? zonedInstant(p.year + 1, 1, 1, window.timeZone) : zonedInstant(p.year, p.month + 1, 1, window.timeZone);
    return { start, end, lengthMs: end - start };
  }
  const monday = new Date(Date.UTC(p.year, p.month - 1, p.day - p.weekday));
  const start = zonedInstant(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), window.timeZone);
  const nextMonday = new Date(monday.getTime() + 7 * 86_400_000);
  const end = zonedInstant(nextMonday.getUTCFullYear(), nextMonday.getUTCMonth() + 1, nextMonday.getUTCDate(), window.timeZone);
  return { start, end, lengthMs: end - start };
}

/** The nominal length used to scale burn-rate factors: rolling duration, 7 days, or the current month's length. */
export function nominalLengthMs(window: SloWindow, now: number): number {
  return periodAt(window, now).lengthMs;
}

export function describeWindow(window: SloWindow): string {
  return window.kind === 'rolling' ? formatDuration(window.durationMs) : `calendar ${window.unit} (${window.timeZone})`;
}
