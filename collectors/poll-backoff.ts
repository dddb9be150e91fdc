/**
 * The delay before a collector's next attempt: its interval while things work, doubling (with
 * jitter) after consecutive failures up to a cap, back to the interval after a success.
 */
export class PollBackoff {
  private failures = 0;

  constructor(private readonly intervalMs: number, private readonly maxMs = Math.max(intervalMs, 5 * 60_000), private readonly random: () => number = Math.random) {}

  succeeded(): number {
    this.failures = 0;
    return this.intervalMs;
  }

  failed(): number {
    this.failures += 1;
    const delay = Math.min(this.maxMs, this.intervalMs * 2 ** this.failures);
    return delay / 2 + this.random() * (delay / 2);
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
