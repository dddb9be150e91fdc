import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../src/domain/errors.js';
import { BatchWriter, type BatchWriterOptions } from '../../src/ingest/index.js';

/** A store stand-in that records each INSERT; `gate` lets a test hold an INSERT in flight. */
function recordingStore() {
  const inserts: number[][] = [];
  let release: (() => void) | undefined;
  let failNext = false;
  return {
    inserts,
    hold() {
      const gate = new Promise<void>((r) => (release = r));
      return { gate, release: () => release?.() };
    },
    failOnce() {
      failNext = true;
    },
    flushWith(gate?: Promise<void>): (rows: number[]) => Promise<void> {
      return async (rows) => {
        if (gate) await gate;
        if (failNext) {
          failNext = false;
          throw new Error('connection reset');
        }
        inserts.push([...rows]);
      };
    },
  };
}

function writer(flush: (rows: number[]) => Promise<void>, options: Partial<BatchWriterOptions<number>> = {}) {
  return new BatchWriter<number>({ flush, maxBatchRows: 100, flushIntervalMs: 10, maxPendingRows: 1000, retryAfterSeconds: 2, ...options });
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('BatchWriter', () => {
  test('requests arriving together are committed by one INSERT and acknowledged after it', async () => {
    const store = recordingStore();
    const w = writer(store.flushWith());
    await Promise.all([w.write([1, 2]), w.write([3]), w.write([4, 5, 6])]);
    expect(store.inserts).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  test('a request is never split across INSERTs, even when it overflows the batch size', async () => {
    const store = recordingStore();
    const w = writer(store.flushWith(), { maxBatchRows: 10 });
    await Promise.all([w.write(range(0, 6)), w.write(range(100, 6)), w.write(range(200, 25))]);
    expect(store.inserts).toEqual([range(0, 6), range(100, 6), range(200, 25)]);
  });

  test('a write resolves only once its INSERT has finished', async () => {
    const store = recordingStore();
    const held = store.hold();
    const w = writer(store.flushWith(held.gate));
    let acknowledged = false;
    const pending = w.write([1]).then(() => (acknowledged = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(acknowledged).toBe(false);
    held.release();
    await pending;
    expect(acknowledged).toBe(true);
  });

  test('a full queue refuses at once with overloaded and Retry-After, and counts in-flight rows', async () => {
    const store = recordingStore();
    const held = store.hold();
    const w = writer(store.flushWith(held.gate), { maxPendingRows: 10, maxBatchRows: 5 });
    const first = w.write(range(0, 6));
    const second = w.write(range(10, 4));
    await new Promise((r) => setTimeout(r, 20));
    expect(w.pendingRows).toBe(10);
    const refused = await w.write([99]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MlwardenError);
    expect(refused).toMatchObject({ kind: 'overloaded', retryAfterSeconds: 2 });
    held.release();
    await Promise.all([first, second]);
    expect(w.pendingRows).toBe(0);
    await w.write([99]);
    expect(store.inserts.flat()).toEqual([...range(0, 6), ...range(10, 4), 99]);
  });

  test('a request larger than the whole queue is refused as too large, not left waiting', async () => {
    const w = writer(recordingStore().flushWith(), { maxPendingRows: 10 });
    await expect(w.write(range(0, 11))).rejects.toMatchObject({ kind: 'too-large' });
  });

  test('a failed INSERT fails every request in it with unavailable, and the next batch goes through', async () => {
    const store = recordingStore();
    store.failOnce();
    const w = writer(store.flushWith());
    const results = await Promise.allSettled([w.write([1]), w.write([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 2 });
    await w.write([3]);
    expect(store.inserts).toEqual([[3]]);
  });

  test('close() commits everything already accepted and refuses new writes', async () => {
    const store = recordingStore();
    const w = writer(store.flushWith(), { flushIntervalMs: 60_000 });
    const accepted = w.write([1, 2, 3]);
    await w.close();
    await accepted;
    expect(store.inserts).toEqual([[1, 2, 3]]);
    await expect(w.write([4])).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
