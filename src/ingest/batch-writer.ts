import { MlwardenError } from '../domain/errors.js';

export interface BatchWriterOptions<Row> {
  /** Commits one batch; must be all-or-nothing (one INSERT). */
  flush: (rows: Row[]) => Promise<void>;
  /** A batch closes when it holds this many rows... */
  maxBatchRows: number;
  /** ...or when its oldest request has waited this long. */
  flushIntervalMs: number;
  /** Rows accepted but not yet committed (queued + in flight) never exceed this. */
  maxPendingRows: number;
  /** Told to clients refused because the queue is full or the store failed. */
  retryAfterSeconds: number;
  onFlush?: (outcome: { rows: number; seconds: number; error?: unknown }) => void;
}

interface Entry<Row> {
  rows: Row[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for telemetry: requests queue their rows and wait; one INSERT commits many requests,
 * and each request is acknowledged only after the INSERT holding it succeeded. A request's rows are
 * never split across INSERTs, so a request is committed whole or not at all.
 */
export class BatchWriter<Row> {
  private queue: Array<Entry<Row>> = [];
  private queuedRows = 0;
  private inFlightRows = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: BatchWriterOptions<Row>) {}

  get pendingRows(): number {
    return this.queuedRows + this.inFlightRows;
  }

  /** Resolves once the rows are committed; rejects with 'overloaded' at once when the queue is full. */
  write(rows: Row[]): Promise<void> {
    if (this.closed) return Promise.reject(new MlwardenError('unavailable', 'mlwarden is shutting down', { retryAfterSeconds: this.options.retryAfterSeconds }));
    if (rows.length === 0) return Promise.resolve();
    if (rows.length > this.options.maxPendingRows) {
      return Promise.reject(new MlwardenError('too-large', `a request may carry at most ${this.options.maxPendingRows} records; this one has ${rows.length}`));
    }
    if (this.pendingRows + rows.length > this.options.maxPendingRows) {
      return Promise.reject(
        new MlwardenError('overloaded', `ingest queue is full (${this.pendingRows} records pending); retry later`, {
          retryAfterSeconds: this.options.retryAfterSeconds,
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      this.schedule();
    });
  }

  /** Stops taking writes and commits everything already accepted. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.flushing) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queuedRows >= this.options.maxBatchRows) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.options.flushIntervalMs);
    }
  }

  private takeBatch(): Array<Entry<Row>> {
    const batch: Array<Entry<Row>> = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Entry<Row>;
      if (batch.length > 0 && rows + next.rows.length > this.options.maxBatchRows) break;
      batch.push(this.queue.shift() as Entry<Row>);
      rows += next.rows.length;
    }
    this.queuedRows -= rows;
    this.inFlightRows = rows;
    return batch;
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.queue.length === 0) return;
    const batch = this.takeBatch();
    this.flushing = this.commit(batch).finally(() => {
      this.flushing = undefined;
      this.inFlightRows = 0;
      // Group commit: whatever queued during this INSERT goes out in the next one straight away.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async commit(batch: Array<Entry<Row>>): Promise<void> {
    const rows = batch.length === 1 ? (batch[0] as Entry<Row>).rows : batch.flatMap((e) => e.rows);
    const started = performance.now();
    try {
      await this.options.flush(rows);
      this.options.onFlush?.({ rows: rows.length, seconds: (performance.now() - started) / 1000 });
      for (const entry of batch) entry.resolve();
    } catch (error) {
      this.options.onFlush?.({ rows: rows.length, seconds: (performance.now() - started) / 1000, error });
      const failure = new MlwardenError('unavailable', 'the telemetry store did not confirm the write; retry the request', {
        retryAfterSeconds: this.options.retryAfterSeconds,
        cause: error,
      });
      for (const entry of batch) entry.reject(failure);
    }
  }
}
