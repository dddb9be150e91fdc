import type { PollBackoff } from './poll-backoff.js';

/**
 * Runs a collector's poll now and then again after its interval, or after a growing backoff while
 * polls fail. Never two polls at once; a failed poll never throws out of the loop (the collector
 * reports it to its health metrics).
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;
  private delayMs = 0;

  constructor(private readonly poll: () => Promise<unknown>, private readonly backoff: PollBackoff) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for a poll in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  /** The delay before the next poll: the interval, or a backoff after failures. */
  get nextDelayMs(): number {
    return this.delayMs;
  }

  get consecutiveFailures(): number {
    return this.backoff.consecutiveFailures;
  }

  private schedule(delayMs: number): void {
    this.delayMs = delayMs;
    this.timer = setTimeout(() => {
      this.inFlight = this.cycle();
    }, delayMs);
  }

  private async cycle(): Promise<void> {
    let delay: number;
    try {
      await this.poll();
      delay = this.backoff.succeeded();
    } catch {
      delay = this.backoff.failed();
    }
    if (!this.stopped) this.schedule(delay);
  }
}
