import type { ObjectStore } from './object-store.js';
import { startWatch, type WatchEvent, type WatchRequest } from './watch.js';

/** An open watch response that the server can end when it shuts down. */
export interface OpenWatch {
  end(): void;
}

/**
 * A watch as an HTTP body: one JSON event per line, kept open until the client goes away,
 * `timeoutSeconds` passes or the server ends it.
 */
export function watchStream(
  store: ObjectStore,
  request: WatchRequest,
  timeoutSeconds: number | undefined,
  open: Set<OpenWatch>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let finish = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (event: WatchEvent) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          finish(); // the client went away between writes
        }
      };
      const stop = startWatch(store, request, send);
      const handle: OpenWatch = { end: () => finish() };
      const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => finish(), timeoutSeconds * 1000);
      finish = () => {
        if (closed) return;
        closed = true;
        stop?.();
        if (timer !== undefined) clearTimeout(timer);
        open.delete(handle);
        try {
          controller.close();
        } catch {
          // already cancelled by the client
        }
      };
      if (stop === undefined) finish();
      else open.add(handle);
    },
    cancel() {
      finish();
    },
  });
}
