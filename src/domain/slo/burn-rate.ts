/** Good and valid events counted over one window (exact counts, never averaged ratios). */
export interface EventCounts {
  good: number;
  total: number;
}

export const bad = (c: EventCounts): number => c.total - c.good;

/** The share of valid events that were bad; undefined when nothing was measured (no data is not failure). */
export function errorRatio(c: EventCounts): number | undefined {
  return c.total > 0 ? bad(c) / c.total : undefined;
}

/** How fast the budget burns relative to the rate that would use exactly all of it over the period. */
export function burnRate(c: EventCounts, objective: number): number | undefined {
  const ratio = errorRatio(c);
  return ratio === undefined ? undefined : ratio / (1 - objective);
}
