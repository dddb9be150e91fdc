import { performance } from 'node:perf_hooks';
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's leaderelection semantics:
 *
 * - a replica acquires the Lease when it is absent, released (no holder), expired
 *   (`renewTime + duration < now`) or already its own; a takeover sets `acquireTime` and
 *   increments `leaseTransitions`;
 * - the leader renews every `retryPeriodMs` (read, then replace with the read resourceVersion:
 *   a 409 on create/replace means someone else won, so the Lease is read again at once);
 * - the leader steps down — aborts the signal given to `onStartedLeading`, then calls
 *   `onStoppedLeading` — as soon as the Lease shows another holder, or when no renewal has
 *   succeeded for `renewDeadlineMs` (a watchdog timer counted from when the last successful
 *   renewal was sent, so a hung or slow request cannot keep it leading). `renewDeadlineMs < leaseDurationMs` means a partitioned leader stops acting
 *   before anyone else may take over;
 * - `stop()` steps down and releases the Lease (clears `holderIdentity`) so a successor takes
 *   over at its next retry instead of waiting for expiry.
 *
 * The loop never throws: failures are reported through `onEvent` and retried.
 *
 * `leaseDurationSeconds` is an integer in the API, so a sub-second-precise duration is written
 * rounded up there and exactly in the `mlwarden.io/lease-duration-ms` annotation, which other
 * mlwarden replicas read first (foreign tools see the conservative rounded value).
 */

export const LEASE_DURATION_MS_ANNOTATION = 'mlwarden.io/lease-duration-ms';

export type LeaderElectionEvent =
  | { type: 'acquired'; identity: string; leaseTransitions: number }
  | { type: 'stopped-leading'; identity: string; reason: string }
  | { type: 'observed-leader'; identity: string; holder: string }
  | { type: 'conflict'; identity: string; operation: 'create' | 'replace' | 'release' }
  | { type: 'released'; identity: string }
  | { type: 'error'; identity: string; operation: 'read' | 'create' | 'replace' | 'release' | 'callback'; message: string; status?: number };

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  leaseName: string;
  /** This replica's identity (pod name, hostname + pid, …); unique among contenders. */
  identity: string;
  /** How long a Lease stays valid after its last renewal (default 15 s). */
  leaseDurationMs?: number;
  /** The leader steps down when it has not renewed for this long (default 10 s; below the lease duration). */
  renewDeadlineMs?: number;
  /** How often to try to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
  /** Clock for Lease timestamps and expiry (default `Date.now`). */
  now?: () => number;
  /** Called when this replica becomes the leader; stop acting when `signal` aborts. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called after the signal was aborted, when this replica is no longer the leader. */
  onStoppedLeading?: () => void;
  /** Everything worth logging: acquisitions, step-downs, conflicts, errors. */
  onEvent?: (event: LeaderElectionEvent) => void;
}

type LeaseApi = Pick<CoordinationV1Api, 'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'>;

const statusOf = (error: unknown): number | undefined => (error instanceof ApiException ? error.code : undefined);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

export class LeaderElector {
  readonly #api: LeaseApi;
  readonly #options: LeaderElectorOptions;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #now: () => number;

  #running = false;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #sleep: AbortController | undefined;
  #leading: AbortController | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastHolder: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.#now = options.now ?? Date.now;
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs)) throw new Error('leaseDurationMs must be greater than renewDeadlineMs');
    if (!(this.#renewDeadlineMs > this.#retryPeriodMs)) throw new Error('renewDeadlineMs must be greater than retryPeriodMs');
    if (options.identity === '') throw new Error('identity must not be empty');
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** Whether this replica holds the lease right now; check before every action. */
  isLeader(): boolean {
    return this.#leading !== undefined;
  }

  /** The holder seen at the last read or write (undefined before the first, or when released). */
  get observedLeader(): string | undefined {
    return this.#lastHolder;
  }

  /** Starts contending; returns at once (the loop runs until `stop()`). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /** Steps down (if leading), ends the loop and releases the Lease if this replica holds it. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#stopping = true;
    this.#stepDown('stopped');
    this.#sleep?.abort();
    await this.#loop;
    this.#running = false;
    await this.#release();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let again = true;
      // a conflict re-reads at once, a bounded number of times
      for (let attempt = 0; again && attempt < 2 && !this.#stopping; attempt += 1) again = await this.#tryAcquireOrRenew();
      if (this.#stopping) break;
      await this.#pause(this.#retryPeriodMs);
    }
  }

  async #pause(ms: number): Promise<void> {
    const sleep = new AbortController();
    this.#sleep = sleep;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      sleep.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#sleep = undefined;
  }

  /** One round: read, then acquire/renew or observe the other holder. True when a 409 asks to re-read now. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName: name, identity } = this.#options;
    let lease: V1Lease | undefined;
    try {
      lease = await this.#api.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (statusOf(error) !== 404) {
        this.#report({ type: 'error', identity, operation: 'read', message: messageOf(error), ...this.#statusField(error) });
        return false;
      }
    }
    if (this.#stopping) return false;

    if (lease === undefined) {
      const now = this.#now();
      const sentAt = performance.now();
      try {
        const created = await this.#api.createNamespacedLease({ namespace, body: this.#record(undefined, now) });
        this.#renewed(created, sentAt);
      } catch (error) {
        return this.#writeFailed('create', error);
      }
      return false;
    }

    const holder = lease.spec?.holderIdentity ?? undefined;
    const now = this.#now();
    if (holder !== undefined && holder !== '' && holder !== identity && !this.#expired(lease, now)) {
      if (this.#lastHolder !== holder) this.#report({ type: 'observed-leader', identity, holder });
      this.#lastHolder = holder;
      this.#stepDown(`the lease is held by ${holder}`);
      return false;
    }
    const sentAt = performance.now();
    try {
      const written = await this.#api.replaceNamespacedLease({ namespace, name, body: this.#record(lease, now) });
      this.#renewed(written, sentAt);
    } catch (error) {
      return this.#writeFailed('replace', error);
    }
    return false;
  }

  #writeFailed(operation: 'create' | 'replace', error: unknown): boolean {
    const { identity } = this.#options;
    if (statusOf(error) === 409) {
      this.#report({ type: 'conflict', identity, operation });
      return true;
    }
    this.#report({ type: 'error', identity, operation, message: messageOf(error), ...this.#statusField(error) });
    return false;
  }

  /** The Lease with this replica as holder, renewed at `now` (a takeover when `read` had another holder). */
  #record(read: V1Lease | undefined, now: number): V1Lease {
    const { identity, leaseName, namespace } = this.#options;
    const spec = read?.spec ?? {};
    const takeover = spec.holderIdentity !== identity;
    const at = new V1MicroTime(now);
    const metadata = read?.metadata ?? { name: leaseName, namespace };
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...read,
      metadata: { ...metadata, annotations: { ...metadata.annotations, [LEASE_DURATION_MS_ANNOTATION]: String(this.#leaseDurationMs) } },
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
        renewTime: at,
        acquireTime: takeover || spec.acquireTime === undefined ? at : spec.acquireTime,
        leaseTransitions: read === undefined ? 0 : takeover ? (spec.leaseTransitions ?? 0) + 1 : (spec.leaseTransitions ?? 0),
      },
    };
  }

  #expired(lease: V1Lease, now: number): boolean {
    const renewTime = timeOf(lease.spec?.renewTime);
    if (renewTime === undefined) return true;
    const exact = Number(lease.metadata?.annotations?.[LEASE_DURATION_MS_ANNOTATION]);
    const seconds = lease.spec?.leaseDurationSeconds;
    const duration = Number.isFinite(exact) && exact > 0 ? exact : seconds !== undefined ? seconds * 1000 : this.#leaseDurationMs;
    return renewTime + duration < now;
  }

  /**
   * A successful create/replace naming this replica: (re)arm the renew deadline, start leading if not yet.
   * The deadline counts from when the request was sent (the renewTime it carried), not from the
   * answer, so a slow answer cannot stretch leadership past renewTime + renewDeadline.
   */
  #renewed(lease: V1Lease, sentAt: number): void {
    const { identity } = this.#options;
    this.#lastHolder = identity;
    if (this.#stopping) return; // stop() releases it
    const remaining = this.#renewDeadlineMs - (performance.now() - sentAt);
    if (remaining <= 0) {
      // answered too late to count: do not (re)start leading on a renewal that is already stale
      this.#stepDown(`no successful renewal for ${this.#renewDeadlineMs} ms`);
      return;
    }
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => this.#stepDown(`no successful renewal for ${this.#renewDeadlineMs} ms`), remaining);
    this.#watchdog.unref?.();
    if (this.#leading !== undefined) return;
    const leading = new AbortController();
    this.#leading = leading;
    this.#report({ type: 'acquired', identity, leaseTransitions: lease.spec?.leaseTransitions ?? 0 });
    try {
      const result = this.#options.onStartedLeading(leading.signal);
      if (result instanceof Promise) result.catch((error: unknown) => this.#callbackFailed(error));
    } catch (error) {
      this.#callbackFailed(error);
    }
  }

  #stepDown(reason: string): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    const leading = this.#leading;
    if (leading === undefined) return;
    this.#leading = undefined;
    leading.abort(new Error(`lost leadership: ${reason}`));
    this.#report({ type: 'stopped-leading', identity: this.#options.identity, reason });
    try {
      this.#options.onStoppedLeading?.();
    } catch (error) {
      this.#callbackFailed(error);
    }
  }

  /** Clears holderIdentity when this replica still holds the Lease, so a successor need not wait for expiry. */
  async #release(): Promise<void> {
    const { namespace, leaseName: name, identity } = this.#options;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      let lease: V1Lease;
      try {
        lease = await this.#api.readNamespacedLease({ namespace, name });
      } catch (error) {
        if (statusOf(error) === 404) return;
        this.#report({ type: 'error', identity, operation: 'release', message: messageOf(error), ...this.#statusField(error) });
        continue;
      }
      if (lease.spec?.holderIdentity !== identity) return;
      const { holderIdentity: _holder, ...spec } = lease.spec;
      try {
        await this.#api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: { ...spec, renewTime: new V1MicroTime(this.#now()) } } });
        this.#lastHolder = undefined;
        this.#report({ type: 'released', identity });
        return;
      } catch (error) {
        if (statusOf(error) === 409) this.#report({ type: 'conflict', identity, operation: 'release' });
        else this.#report({ type: 'error', identity, operation: 'release', message: messageOf(error), ...this.#statusField(error) });
      }
    }
  }

  #callbackFailed(error: unknown): void {
    this.#report({ type: 'error', identity: this.#options.identity, operation: 'callback', message: messageOf(error) });
  }

  #statusField(error: unknown): { status?: number } {
    const status = statusOf(error);
    return status === undefined ? {} : { status };
  }

  #report(event: LeaderElectionEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // a failing logger must not break the election loop
    }
  }
}
