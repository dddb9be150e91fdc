import { KubernetesObjectApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { PollBackoff } from '../poll-backoff.js';
import { metadataOf, numberAt, objectAt, resourceVersionOf, stringAt, type KubeObject } from './kube-object.js';

/** A collection to list and watch: `path` is its REST path (namespaced or cluster-wide). */
export interface WatchedResource {
  apiVersion: string;
  kind: string;
  path: string;
  namespace?: string;
  labelSelector?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchHandlers {
  /** The complete collection after a (re)list: anything not in it is gone. */
  replace(objects: KubeObject[]): void;
  event(type: WatchEventType, object: KubeObject): void;
  /** A list or an event went through. */
  succeeded(): void;
  failed(reason: string): void;
}

export interface ResumableWatchOptions {
  /** Server-side end of each watch, so a silently dead connection is replaced; default 300 s. */
  watchTimeoutSeconds?: number;
  listPageSize?: number;
  backoff?: PollBackoff;
}

type WatchEnd = 'closed' | 'expired';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

function reasonOf(error: unknown): string {
  const code = numberAt(objectAt(error).statusCode) ?? numberAt(objectAt(error).code);
  return code === undefined ? 'watch_error' : `http_${code}`;
}

/**
 * List, then watch from the list's resourceVersion; after a disconnect, watch again from the last
 * resourceVersion seen (events or bookmarks), so nothing is missed or replayed; on 410 Gone
 * (the version was compacted away) list again and hand over the whole collection.
 */
export class ResumableWatch {
  private resourceVersion: string | undefined;
  private readonly stopping = new AbortController();
  private current: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private listed!: () => void;
  /** Resolves after the first complete list. */
  readonly synced = new Promise<void>((resolve) => (this.listed = resolve));
  private readonly backoff: PollBackoff;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly resource: WatchedResource,
    private readonly handlers: WatchHandlers,
    private readonly options: ResumableWatchOptions = {},
  ) {
    this.backoff = options.backoff ?? new PollBackoff(250, 30_000);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.current?.abort();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const end = await this.watchOnce();
        if (end === 'expired') {
          this.handlers.failed('expired');
          this.resourceVersion = undefined;
        }
        this.backoff.succeeded();
      } catch (error) {
        if (this.stopped) return;
        const reason = reasonOf(error);
        if (reason === 'http_410') this.resourceVersion = undefined;
        this.handlers.failed(reason);
        await sleep(this.backoff.failed(), this.stopping.signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const api = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    const objects: KubeObject[] = [];
    let next: string | undefined;
    let version = '';
    do {
      const page = await api.list(this.resource.apiVersion, this.resource.kind, this.resource.namespace, undefined, undefined, undefined, undefined, this.resource.labelSelector, this.options.listPageSize ?? 500, next);
      // Typed clients turn times into Dates; JSON gives the same shape a watch event has.
      const plain = JSON.parse(JSON.stringify(page)) as KubeObject;
      objects.push(...(Array.isArray(plain.items) ? (plain.items as KubeObject[]) : []));
      const meta = metadataOf(plain);
      version = stringAt(meta.resourceVersion);
      next = stringAt(meta._continue) || stringAt(meta.continue) || undefined;
    } while (next !== undefined && !this.stopped);
    this.handlers.replace(objects);
    this.handlers.succeeded();
    this.resourceVersion = version;
    this.listed();
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve, reject) => {
      let end: WatchEnd = 'closed';
      const params: Record<string, string> = { resourceVersion: this.resourceVersion ?? '', allowWatchBookmarks: 'true', timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 300) };
      if (this.resource.labelSelector !== undefined) params.labelSelector = this.resource.labelSelector;
      const onEvent = (type: string, raw: unknown) => {
        const object = objectAt(raw);
        if (type === 'ERROR') {
          if (numberAt(object.code) === 410) end = 'expired';
          else this.handlers.failed(`watch_${stringAt(object.reason) || 'error'}`);
          this.current?.abort();
          return;
        }
        const version = resourceVersionOf(object);
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.handlers.event(type, object);
          this.handlers.succeeded();
        }
        if (version !== '') this.resourceVersion = version;
      };
      const onDone = (error: unknown) => (error && !this.stopped && end !== 'expired' && !isAbort(error) ? reject(error) : resolve(end));
      new Watch(this.kubeConfig)
        .watch(this.resource.path, params, onEvent, onDone)
        .then((controller) => {
          this.current = controller;
          if (this.stopped) controller.abort();
        })
        .catch(reject);
    });
  }
}

const isAbort = (error: unknown) => stringAt(objectAt(error).name) === 'AbortError';
