import type { CollectorHealth } from '../collector-health.js';
import { PollBackoff } from '../poll-backoff.js';
import { PollLoop } from '../poll-loop.js';
import { ScrapeError, scrapeMetrics } from '../prometheus-scrape.js';
import type { TelemetrySink } from '../telemetry-sink.js';
import { RequestDeltas, type RequestBatch } from './request-deltas.js';
import { processStart, SERVING_FLAVOURS, targetSeries, type ServingTarget } from './serving-target.js';

export type ServingCollectorOptions = {
  targets: readonly ServingTarget[];
  sink: TelemetrySink;
  health: CollectorHealth;
  now?: () => number;
  intervalMs?: number;
  timeoutMs?: number;
  /** The `collector` label on the health metrics. */
  name?: string;
  /** Jitter source for the backoff (tests fix it). */
  random?: () => number;
};

export const DEFAULT_SERVING_INTERVAL_MS = 30_000;
/** Batches kept for resending while the sink refuses them; the oldest go first beyond this. */
export const MAX_UNSENT_BATCHES = 50_000;

class SendError extends Error {}

/**
 * Scrapes model servers' /metrics and sends the requests served between two scrapes as pre-aggregated
 * batches (RequestDeltas). Every `intervalMs` while it works; a cycle where every target failed, or the
 * sink refused, backs off (PollBackoff). A failing target among working ones keeps its baseline, so its
 * next successful scrape covers the gap. Batches are made before sending: the sink refusing them does
 * not lose them (they are resent) nor count them twice. The loop never throws.
 */
export class ServingCollector {
  private readonly loop: PollLoop;
  private readonly name: string;
  private readonly now: () => number;
  private readonly deltas: RequestDeltas[];
  private unsent: RequestBatch[] = [];

  constructor(private readonly options: ServingCollectorOptions) {
    if (options.targets.length === 0) throw new Error('ServingCollector needs at least one target');
    for (const t of options.targets) {
      if (!SERVING_FLAVOURS.includes(t.flavour)) throw new Error(`ServingCollector target ${t.url}: flavour "${t.flavour}" is not one of ${SERVING_FLAVOURS.join(', ')}`);
    }
    const intervalMs = options.intervalMs ?? DEFAULT_SERVING_INTERVAL_MS;
    if (!(intervalMs > 0)) throw new Error(`ServingCollector intervalMs must be positive, got ${intervalMs}`);
    this.loop = new PollLoop(() => this.collectOnce(), new PollBackoff(intervalMs, undefined, options.random));
    this.name = options.name ?? 'serving';
    this.now = options.now ?? Date.now;
    this.deltas = options.targets.map(() => new RequestDeltas());
  }

  /** Scrapes every target once and sends the batches (with any left unsent before); returns the batches sent. */
  async collectOnce(): Promise<number> {
    const ts = this.now();
    const results = await Promise.allSettled(this.options.targets.map((target, i) => this.scrapeTarget(target, i, ts)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failures) this.options.health.failed(this.name, f.reason instanceof ScrapeError && f.reason.reason === 'parse' ? 'parse' : 'scrape');
    for (const r of results) if (r.status === 'fulfilled') this.unsent.push(...r.value);
    this.unsent = this.unsent.slice(-MAX_UNSENT_BATCHES);
    if (failures.length === results.length) throw (failures[0] as PromiseRejectedResult).reason;
    const batches = this.unsent;
    await this.send(batches);
    this.unsent = [];
    const now = this.now();
    this.options.health.succeeded(this.name, now);
    this.options.health.delivered(this.name, 'requests', batches.length);
    this.options.health.caughtUp(this.name, ts, now);
    return batches.length;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for a poll in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The delay before the next poll: the interval, or a backoff after failures. */
  get nextDelayMs(): number {
    return this.loop.nextDelayMs;
  }

  get consecutiveFailures(): number {
    return this.loop.consecutiveFailures;
  }

  private async scrapeTarget(target: ServingTarget, index: number, ts: number): Promise<RequestBatch[]> {
    const scrape = await scrapeMetrics(target.url, { timeoutMs: this.options.timeoutMs });
    return (this.deltas[index] as RequestDeltas).next(targetSeries(scrape, target), ts, processStart(scrape));
  }

  private async send(batches: RequestBatch[]): Promise<void> {
    if (batches.length === 0) return;
    try {
      await this.options.sink('requests', batches);
    } catch (error) {
      this.options.health.failed(this.name, 'send');
      throw new SendError(`sending ${batches.length} request batches failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
