import type { JsonObject } from './json.js';
import { kubeErrors } from './kube-status.js';

/** One committed write, as the store's watchers see it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  storageKey: string;
  resourceVersion: number;
  object: JsonObject;
  /** The state before a MODIFIED or DELETED write. */
  previous?: JsonObject;
}

export type StoreListener = (event: StoreEvent) => void;

/**
 * The last `limit` writes, for resuming watches, plus the live listeners. A watch may resume
 * from any resourceVersion at or after the newest evicted one; older ones are Expired (410).
 */
export class EventHistory {
  private readonly events: StoreEvent[] = [];
  private evictedThrough = 0;
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly limit: number) {}

  record(event: StoreEvent): void {
    this.events.push(event);
    while (this.events.length > this.limit) this.evictedThrough = (this.events.shift() as StoreEvent).resourceVersion;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener); // a broken watcher must never fail the write that fed it
      }
    }
  }

  /** Events after `resourceVersion`, or Expired when some of them were evicted. */
  since(resourceVersion: number): StoreEvent[] {
    if (resourceVersion < this.evictedThrough) throw kubeErrors.expired(resourceVersion, this.evictedThrough);
    return this.events.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** Forgets every kept event, so any watch older than `currentResourceVersion` is Expired. */
  compact(currentResourceVersion: number): void {
    this.events.length = 0;
    this.evictedThrough = currentResourceVersion;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
