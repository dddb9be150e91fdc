import { FeatureClientError } from './client-error.js';
import { MAX_LABEL_LENGTH, resolveOptions, type FeatureClientOptions, type ResolvedOptions } from './client-options.js';
import { DeliveryQueue, type QueuedBatch } from './delivery-queue.js';
import type { FeatureValue } from './feature-record.js';
import { FeatureWindow } from './feature-window.js';
import { retryDelayMs } from './retry-delay.js';
import { sendBatch, type SendOutcome } from './send-batch.js';

/** Counts are observations (one feature value each; a histogram holds many), except rejectedBatches and retries. */
export interface FeatureClientStats {
  recorded: number;
  sent: number;
  /** Observations given up on: buffer full (oldest first), batches the server refused, leftovers at close. */
  dropped: number;
  /** Recorded, neither sent nor dropped yet (recorded = sent + dropped + pendingObservations). */
  pendingObservations: number;
  /** Failed attempts that were retried (network error, timeout, 429, 5xx). */
  retries: number;
  /** Batches the server refused with a 4xx other than 429. */
  rejectedBatches: number;
  lastError?: string;
}

/**
 * Records each prediction's feature values from a serving app and ships them to mlwarden in the
 * background. record() only touches memory; delivery runs off the request path, one batch at a time,
 * retrying what can succeed later and dropping (and counting) what cannot. Memory is bounded: beyond
 * maxBufferedObservations the oldest batches are dropped, because during an outage the newest data
 * describes the traffic that is still being served, and drift on it is what someone will look at.
 */
export class FeatureClient {
  private readonly o: ResolvedOptions;
  private readonly window: FeatureWindow;
  private readonly queue = new DeliveryQueue();
  /** A window is shipped before it holds more than this, so the batch in flight plus the open window stay under half the cap. */
  private readonly windowLimit: number;
  private readonly ticker: NodeJS.Timeout;
  private readonly cancel = new AbortController();
  private counts = { recorded: 0, sent: 0, dropped: 0, retries: 0, rejectedBatches: 0 };
  private lastError: string | undefined;
  private failures = 0;
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private kickScheduled = false;
  private closing = false;
  private stopped = false;
  private badInputReported = false;
  private emptyWaiters: Array<() => void> = [];

  constructor(options: FeatureClientOptions) {
    this.o = resolveOptions(options);
    this.window = new FeatureWindow(this.o);
    this.windowLimit = Math.max(1, Math.floor(this.o.maxBufferedObservations / 4));
    this.ticker = setInterval(() => this.tick(), this.o.flushIntervalMs);
    this.ticker.unref();
  }

  /** Records one prediction's features (and the prediction). Synchronous, O(features); never throws. */
  record(features: Record<string, FeatureValue>, prediction?: number | string): void {
    try {
      const ts = this.o.now();
      for (const feature in features) this.observe(feature, features[feature] as FeatureValue, ts);
      if (prediction !== undefined) this.observe(this.o.predictionFeature, prediction, ts);
    } catch (error) {
      this.reportInput(error instanceof Error ? error.message : String(error));
    }
  }

  stats(): FeatureClientStats {
    return {
      ...this.counts,
      pendingObservations: this.pending(),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Ships everything recorded so far; resolves once each batch was delivered, refused, or is waiting to retry. Never rejects. */
  async flush(): Promise<void> {
    this.seal();
    this.pump();
    while (this.sending) await this.sending;
  }

  /** Stops the timers and tries to deliver what is left until closeTimeoutMs; what is still pending then counts as dropped. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.ticker);
    this.seal();
    await this.untilEmptyOr(this.o.closeTimeoutMs);
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.cancel.abort();
    while (this.sending) await this.sending;
    this.counts.dropped += this.queue.clear() + this.window.seal().observations;
  }

  private observe(feature: string, value: FeatureValue, ts: number): void {
    this.counts.recorded++;
    if (this.closing) return this.drop(1);
    if (feature.length === 0 || feature.length > MAX_LABEL_LENGTH) {
      this.drop(1);
      return this.reportInput(`feature name must be 1 to ${MAX_LABEL_LENGTH} characters, got ${feature.length}`);
    }
    if (value !== null && typeof value !== 'number' && typeof value !== 'string') {
      this.drop(1);
      return this.reportInput(`feature ${feature.slice(0, 64)} has a ${typeof value} value; record takes a number, a string or null`);
    }
    if (!this.makeRoom()) return this.drop(1);
    this.window.add(feature, value, ts);
    if (this.window.records >= this.o.maxBatch || this.window.observations >= this.windowLimit) this.sealSoon();
  }

  /** Drops the oldest queued batches until one more observation fits; false when nothing can be dropped. */
  private makeRoom(): boolean {
    while (this.pending() >= this.o.maxBufferedObservations) {
      const freed = this.queue.dropOldest();
      if (freed === 0) return false;
      this.drop(freed);
    }
    return true;
  }

  private pending(): number {
    return this.queue.observations + this.window.observations;
  }

  private drop(observations: number): void {
    this.counts.dropped += observations;
  }

  private seal(): void {
    if (this.window.observations > 0) this.queue.push(this.window.seal());
  }

  /** Seals now but starts the send on the next turn, so serialising the body never runs inside record(). */
  private sealSoon(): void {
    this.seal();
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.pump();
    }).unref();
  }

  private tick(): void {
    this.seal();
    this.pump();
  }

  /** Starts the delivery loop unless it runs, waits for a retry, or has nothing to do. */
  private pump(): void {
    if (this.sending || this.retryTimer || this.stopped) return;
    if (this.queue.length === 0) return this.notifyEmpty();
    this.sending = this.deliver().finally(() => {
      this.sending = undefined;
    });
  }

  private async deliver(): Promise<void> {
    for (let batch = this.queue.head(); batch && !this.retryTimer && !this.stopped; batch = this.queue.head()) {
      batch.inFlight = true;
      batch.body ??= JSON.stringify(batch.records);
      const outcome = await sendBatch(this.o, batch.body, this.cancel.signal);
      batch.inFlight = false;
      this.settle(batch, outcome);
    }
    if (this.queue.length === 0) this.notifyEmpty();
  }

  private settle(batch: QueuedBatch, outcome: SendOutcome): void {
    if (outcome.kind === 'retry' && this.stopped) return;
    if (outcome.kind === 'retry') return this.scheduleRetry(outcome.error, outcome.retryAfterMs);
    this.queue.remove(batch);
    this.failures = 0;
    if (outcome.kind === 'sent') {
      this.counts.sent += batch.observations;
      return;
    }
    this.counts.rejectedBatches++;
    this.drop(batch.observations);
    this.fail(outcome.error);
  }

  private scheduleRetry(error: FeatureClientError, retryAfterMs: number | undefined): void {
    this.counts.retries++;
    this.failures++;
    this.fail(error);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, retryDelayMs(this.failures, retryAfterMs, this.o));
    this.retryTimer.unref();
  }

  private fail(error: FeatureClientError): void {
    this.lastError = error.message;
    this.o.onError(error);
  }

  /** Bad input is reported once per client: a serving app sending it sends it on every request. */
  private reportInput(message: string): void {
    if (this.badInputReported) return;
    this.badInputReported = true;
    this.fail(new FeatureClientError('input', message));
  }

  private notifyEmpty(): void {
    for (const resolve of this.emptyWaiters.splice(0)) resolve();
  }

  /** Resolves when the queue is empty or after ms. The deadline timer is not unref()ed: close() promised to wait that long. */
  private async untilEmptyOr(ms: number): Promise<void> {
    let deadline: NodeJS.Timeout | undefined;
    const empty = new Promise<void>((resolve) => this.emptyWaiters.push(resolve));
    const timeout = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, ms);
    });
    this.pump();
    await Promise.race([empty, timeout]);
    clearTimeout(deadline);
  }
}
