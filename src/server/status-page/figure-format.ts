/** How the status page writes numbers: a dash for an unknown figure, never "NaN" or "null". */
export const DASH = '—';

export function percent(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return DASH;
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function burnRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  return `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(rate >= 10 ? 1 : 2)}×`;
}

export function psi(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toFixed(value >= 10 ? 1 : 3);
}

/** "2026-11-24 12:00 UTC" */
export function utcMinute(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  const t = typeof ms === 'string' ? Date.parse(ms) : ms;
  if (Number.isNaN(t)) return DASH;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "12:00" for a window start inside the heatmap. */
export const utcClock = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
