import type { KubeConfig } from '@kubernetes/client-node';
import type { CollectorHealth } from '../collector-health.js';
import { PollBackoff } from '../poll-backoff.js';
import type { TelemetrySink } from '../telemetry-sink.js';
import { jobRuns } from './job-runs.js';
import { KfpPoller, type KfpPollerOptions } from './kfp-poller.js';
import { uidOf, type KubeObject } from './kube-object.js';
import type { PriorityClasses } from './run-context.js';
import { RunLedger, type RunLedgerOptions } from './run-ledger.js';
import { RunObjects } from './run-objects.js';
import type { RunRecord } from './run-record.js';
import { RUN_SOURCES, watchedResource, type RunSource } from './run-sources.js';
import { ResumableWatch, type WatchHandlers } from './resumable-watch.js';
import { trainingJobRuns } from './training-job-runs.js';
import { workflowRuns } from './workflow-runs.js';

export const RUN_COLLECTOR = 'runs';
const KFP_COLLECTOR = 'runs_kfp';

export interface RunCollectorOptions {
  kubeConfig?: KubeConfig;
  /** Watch only these namespaces (one watch each); all namespaces when unset. */
  namespaces?: string[];
  sink: TelemetrySink;
  health: CollectorHealth;
  now?: () => number;
  kfp?: Omit<KfpPollerOptions, 'intervalMs'> & { intervalMs: number };
  /** priorityClassName → value, for pods admission has not given a spec.priority. */
  priorityClasses?: PriorityClasses;
  /** How long to wait for a burst of related events (a Job and its pods) before mapping; default 200 ms. */
  settleMs?: number;
  ledger?: RunLedgerOptions;
  /** Server-side end of each watch (it is resumed from its resourceVersion); default 300 s. */
  watchTimeoutSeconds?: number;
  /** Which watched kinds to skip (e.g. ['Workflow'] where Argo is not installed). */
  skipKinds?: string[];
}

/**
 * Watches Jobs, training-operator jobs, Argo Workflows and their pods (and polls KFP), maps them
 * to run rows and sends each run attempt's state changes once to the sink. Background failures
 * are counted on the health metrics and retried; nothing here throws into the host.
 */
export class RunCollector {
  private readonly objects = new RunObjects();
  private readonly ledger: RunLedger;
  private readonly watches: ResumableWatch[] = [];
  private readonly kfp: KfpPoller | undefined;
  /** Workloads to map again: the versions their watch delivered, in order (empty when only pods changed). */
  private readonly dirty = new Map<string, KubeObject[]>();
  private readonly now: () => number;
  private readonly sendBackoff = new PollBackoff(500, 60_000);
  private outbox: RunRecord[] = [];
  private settleTimer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: RunCollectorOptions) {
    this.now = options.now ?? Date.now;
    this.ledger = new RunLedger(options.ledger);
    if (options.kubeConfig !== undefined) this.createWatches(options.kubeConfig);
    if (options.kfp !== undefined) this.kfp = new KfpPoller(options.kfp, this.kfpHooks());
  }

  start(): void {
    for (const watch of this.watches) watch.start();
    this.kfp?.start();
  }

  /** Resolves once every watch has listed and what the lists gave has been sent (or tried). */
  async synced(): Promise<void> {
    await Promise.all(this.watches.map((w) => w.synced));
    await this.flush();
  }

  /** Maps what is pending now and waits for the send, without waiting for the settle delay. */
  async flush(): Promise<void> {
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.mapDirty();
    await this.send();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.watches.map((w) => w.stop()), this.kfp?.stop()]);
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.mapDirty();
    await this.send();
  }

  private createWatches(kubeConfig: KubeConfig): void {
    const skip = new Set(this.options.skipKinds ?? []);
    const namespaces = this.options.namespaces ?? [undefined];
    for (const source of RUN_SOURCES.filter((s) => !skip.has(s.kind))) {
      for (const namespace of namespaces) {
        const options = this.options.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: this.options.watchTimeoutSeconds };
        this.watches.push(new ResumableWatch(kubeConfig, watchedResource(source, namespace), this.handlersFor(source), options));
      }
    }
  }

  private handlersFor(source: RunSource): WatchHandlers {
    const delivered = new Set<string>();
    const collector = `${RUN_COLLECTOR}_${source.kind.toLowerCase()}`;
    return {
      replace: (objects) => {
        const listed = new Set(objects.map(uidOf));
        for (const uid of delivered) if (!listed.has(uid)) this.touch(this.objects.remove(source.role, uid));
        delivered.clear();
        for (const object of objects) this.apply(source, 'ADDED', object, delivered);
      },
      event: (type, object) => this.apply(source, type, object, delivered),
      succeeded: () => this.options.health.succeeded(collector, this.now()),
      failed: (reason) => this.options.health.failed(collector, reason),
    };
  }

  private apply(source: RunSource, type: string, object: KubeObject, delivered: Set<string>): void {
    const uid = uidOf(object);
    if (type === 'DELETED') {
      delivered.delete(uid);
      this.touch(this.objects.remove(source.role, uid));
      return;
    }
    delivered.add(uid);
    this.touch(this.objects.put(source.role, object), source.role === 'pod' ? undefined : object);
  }

  /**
   * Every version of a workload is mapped (so a burst replayed after a disconnect loses no state),
   * but only after the settle delay, so the pods that explain it have arrived by then.
   */
  private touch(ownerUid: string | undefined, version?: KubeObject): void {
    if (ownerUid === undefined || ownerUid === '') return;
    const versions = this.dirty.get(ownerUid) ?? [];
    if (version !== undefined) versions.push(version);
    this.dirty.set(ownerUid, versions);
    this.settleTimer ??= setTimeout(() => void this.flush(), this.options.settleMs ?? 200);
  }

  private mapDirty(): void {
    const now = this.now();
    for (const [uid, versions] of this.dirty) {
      const latest = this.objects.owner(uid)?.object;
      const objects = versions.length > 0 ? versions : latest === undefined ? [] : [latest];
      for (const object of objects) this.outbox.push(...this.ledger.changes(this.rowsOf(uid, object, now), now));
    }
    this.dirty.clear();
  }

  private rowsOf(uid: string, object: KubeObject, now: number): RunRecord[] {
    const role = this.objects.owner(uid)?.role;
    const classes = this.options.priorityClasses ?? {};
    try {
      if (role === 'job') return jobRuns(object, this.objects.podsOf(uid), classes, now);
      if (role === 'training') return trainingJobRuns(object, this.objects.podsOf(uid), classes, now);
      if (role === 'workflow') return workflowRuns(object, now);
    } catch {
      this.options.health.failed(RUN_COLLECTOR, 'parse');
    }
    return [];
  }

  /** One send at a time; rows the sink refused stay in the outbox and go again after a backoff. */
  private send(): Promise<void> {
    this.sending ??= this.sendOutbox().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async sendOutbox(): Promise<void> {
    while (this.outbox.length > 0) {
      const batch = this.outbox;
      this.outbox = [];
      try {
        await this.options.sink('runs', batch);
      } catch {
        this.outbox = [...batch, ...this.outbox];
        this.options.health.failed(RUN_COLLECTOR, 'send');
        if (!this.stopped) setTimeout(() => void this.send(), this.sendBackoff.failed()).unref();
        return;
      }
      this.sendBackoff.succeeded();
      const now = this.now();
      this.options.health.delivered(RUN_COLLECTOR, 'runs', batch.length);
      this.options.health.caughtUp(RUN_COLLECTOR, Math.max(...batch.map((r) => r.ts)), now);
      this.options.health.succeeded(RUN_COLLECTOR, now);
    }
  }

  private kfpHooks() {
    return {
      rows: (rows: RunRecord[]) => {
        this.outbox.push(...this.ledger.changes(rows, this.now()));
        void this.send();
      },
      succeeded: () => this.options.health.succeeded(KFP_COLLECTOR, this.now()),
      failed: (reason: string) => this.options.health.failed(KFP_COLLECTOR, reason),
      now: () => this.now(),
    };
  }
}
