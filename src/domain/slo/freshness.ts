import type { EventCounts } from './burn-rate.js';

const MINUTE = 60_000;

/**
 * Data freshness as good/valid minutes: minute m of [start, end) is good when some data arrived in
 * (m − threshold, m], i.e. the newest data at that minute was at most `threshold` old. `dataMinutes`
 * are the minute starts (epoch ms) in which data arrived, sorted ascending, reaching back at least
 * `threshold` before the earliest window start.
 */
export function freshMinutes(dataMinutes: readonly number[], start: number, end: number, thresholdMs: number): EventCounts {
  const total = Math.max(0, Math.floor((end - start) / MINUTE));
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
