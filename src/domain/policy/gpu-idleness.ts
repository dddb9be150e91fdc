/** When a job's GPUs went idle: the start of the trailing run of minutes under the threshold. */
export interface UtilizationMinute {
  /** Minute start, ms since the epoch. */
  minute: number;
  /** Mean GPU utilisation 0..1 over the minute. */
  utilization: number;
}

export interface Idleness {
  /** Start of the idle run; undefined when the latest minute is not idle (or there is no data). */
  idleSince?: number;
  /** Mean utilisation over the idle run (or the latest minute when not idle). */
  utilization?: number;
}

/**
 * Minutes must be consecutive to count: a gap (no telemetry) ends the run, since no data is not
 * idleness. Input in any order.
 */
export function idleness(minutes: readonly UtilizationMinute[], below: number, minuteMs = 60_000): Idleness {
  const sorted = [...minutes].sort((a, b) => a.minute - b.minute);
  const latest = sorted.at(-1);
  if (latest === undefined) return {};
  if (latest.utilization >= below) return { utilization: latest.utilization };
  let start = sorted.length - 1;
  while (start > 0) {
    const prev = sorted[start - 1] as UtilizationMinute;
    const cur = sorted[start] as UtilizationMinute;
    if (prev.utilization >= below || cur.minute - prev.minute > minuteMs) break;
    start--;
  }
  const run = sorted.slice(start);
  return { idleSince: (run[0] as UtilizationMinute).minute, utilization: run.reduce((s, m) => s + m.utilization, 0) / run.length };
}
