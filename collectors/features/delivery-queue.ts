import type { SealedBatch } from './feature-window.js';

export interface QueuedBatch extends SealedBatch {
  inFlight: boolean;
  /** The JSON body, built on the first attempt and reused by retries. */
  body?: string;
}

/** Sealed batches waiting for delivery, oldest first, with the observations they hold. */
export class DeliveryQueue {
  private readonly batches: QueuedBatch[] = [];
  observations = 0;

  push(batch: SealedBatch): void {
    this.batches.push({ ...batch, inFlight: false });
    this.observations += batch.observations;
  }

  head(): QueuedBatch | undefined {
    return this.batches[0];
  }

  remove(batch: QueuedBatch): void {
    const i = this.batches.indexOf(batch);
    if (i < 0) return;
    this.batches.splice(i, 1);
    this.observations -= batch.observations;
  }

  /** Drops the oldest batch not being sent and returns its observations (0 when there is none). */
  dropOldest(): number {
    const oldest = this.batches.find((b) => !b.inFlight);
    if (oldest === undefined) return 0;
    this.remove(oldest);
    return oldest.observations;
  }

  /** Empties the queue and returns the observations it held. */
  clear(): number {
    const held = this.observations;
    this.batches.length = 0;
    this.observations = 0;
    return held;
  }

  get length(): number {
    return this.batches.length;
  }
}
