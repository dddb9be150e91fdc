import type { CollectorHealth } from '../collector-health.js';
import { PollBackoff } from '../poll-backoff.js';
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
  private readonly backoff: PollBackoff;
  private readonly name: string;
  private readonly now: () => number;
  private readonly deltas: RequestDeltas[];
  private unsent: RequestBatch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;
  private delayMs = 0;

  constructor(private readonly options: ServingCollectorOptions) {
    if (options.targets.length === 0) throw new Error('ServingCollector needs at least one target');
    for (const t of options.targets) {
      if (!SERVING_FLAVOURS.includes(t.flavour)) throw new Error(`ServingCollector target ${t.url}: flavour "${t.flavour}" is not one of ${SERVING_FLAVOURS.join(', ')}`);
    }
    const intervalMs = options.intervalMs ?? DEFAULT_SERVING_INTERVAL_MS;
    if (!(intervalMs > 0)) throw new Error(`ServingCollector intervalMs must be positive, got ${intervalMs}`);
    this.backoff = new PollBackoff(intervalMs, undefined, options.random);
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
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops scraping and waits for a cycle in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  /** The delay before the next cycle: the interval, or a backoff after failures. */
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
      await this.collectOnce();
      delay = this.backoff.succeeded();
    } catch {
      delay = this.backoff.failed();
    }
    if (!this.stopped) this.schedule(delay);
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
