import type { EventCounts } from './burn-rate.js';

const MINUTE = 60_000;

/**
 * Data freshness as good/valid minutes: minute m of [start, end) is good when some data arrived in
 * (m − threshold, m], i.e. the newest data at that minute was at most `threshold` old. `dataMinutes`
 * are the minute starts (epoch ms) in which data arrived, sorted ascending, reaching back at least
 * `threshold` before the earliest window start (the evaluator reads from the period start). Minutes
 * before the first arrival it sees are not valid events: a model that never sent data has no data,
 * it is not stale.
 */
export function freshMinutes(dataMinutes: readonly number[], start: number, end: number, thresholdMs: number): EventCounts {
  const first = dataMinutes[0];
  if (first === undefined) return { good: 0, total: 0 };
  const validFrom = Math.max(start, first);
  const total = Math.max(0, Math.ceil((end - validFrom) / MINUTE));
  let good = 0;
  let coveredUntil = start;
  for (const minute of dataMinutes) {
    const from = Math.max(minute, coveredUntil);
    const until = Math.min(minute + thresholdMs, end);
    if (until > from) {
      good += Math.ceil((until - from) / MINUTE);
      coveredUntil = from + Math.ceil((until - from) / MINUTE) * MINUTE;
    }
  }
  return { good, total };
}
