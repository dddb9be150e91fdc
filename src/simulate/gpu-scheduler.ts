import { registerClusterObjects } from './gpu-cluster-objects.js';
import { annotationsOf, CHECKPOINT_REQUESTED, LAST_CHECKPOINT, simScriptOf } from './gpu-annotations.js';
import { BATCH_JOB } from './gpu-batch-job.js';
import { GpuPodWriter } from './gpu-pod-writer.js';
import { gpuNodes, placePods, unschedulableMessage, type GpuNode } from './gpu-placement.js';
import { PYTORCH_JOB } from './gpu-pytorch-job.js';
import { describe, gpusOf, runMs, snapshotOf, trackedFrom, type GpuWorkload, type TrackedWorkload } from './gpu-tracked-workload.js';
import type { GpuWorkloadKind } from './gpu-workload-kind.js';
import type { JsonObject } from './json.js';
import type { ObjectStore } from './object-store.js';
import { kubeTimestamp, metaOf } from './write-strategy.js';

export type { GpuWorkload } from './gpu-tracked-workload.js';

export interface GpuSchedulerOptions {
  gpus: number;
  /** GPUs are split evenly over this many nodes named gpu-node-0…; default 1. */
  nodes?: number;
  /** Clock in ms (default Date.now): the only source of time, so tests can drive it. */
  now?: () => number;
  /** priorityClassName → value. */
  priorityClasses?: Record<string, number>;
  /** Where errors of background reconciles go (they never throw out of the timer). */
  onError?: (error: unknown) => void;
}

const KINDS: readonly GpuWorkloadKind[] = [BATCH_JOB, PYTORCH_JOB];

/**
 * Runs batch/v1 Jobs and kubeflow.org/v1 PyTorchJobs on a fixed pool of GPUs, as kube-scheduler,
 * the job controller and the training-operator would: pods are created, bound, failed and
 * completed, statuses written, and suspends honoured. It never preempts: that is mlwarden's job.
 * A workload that does not fit does not block lower-priority ones that do (like kube-scheduler).
 */
export class GpuScheduler {
  private readonly nodes: GpuNode[];
  private readonly now: () => number;
  private readonly classes: Record<string, number>;
  private readonly pods: GpuPodWriter;
  private readonly tracked = new Map<string, TrackedWorkload>();
  private seq = 0;
  private reconciling = false;
  private queued = false;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: GpuSchedulerOptions,
  ) {
    this.nodes = gpuNodes(options.gpus, options.nodes ?? 1);
    this.now = options.now ?? Date.now;
    this.classes = options.priorityClasses ?? {};
    this.pods = new GpuPodWriter(store);
  }

  start(intervalMs?: number): void {
    this.stop();
    registerClusterObjects(this.store, this.nodes, this.classes);
    const watched = new Set(KINDS.map((k) => k.resource.storageKey));
    this.unsubscribe = this.store.subscribe((event) => {
      if (!this.reconciling && watched.has(event.storageKey)) this.schedule();
    });
    if (intervalMs !== undefined) this.timer = setInterval(() => this.safeReconcile(), intervalMs).unref();
    this.schedule();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  reconcile(): void {
    const now = this.now();
    this.reconciling = true;
    try {
      this.observe(now);
      for (const t of this.tracked.values()) if (t.state === 'running') this.advance(t, now);
      this.place(now);
      for (const t of this.tracked.values()) this.writeStatus(t, now);
    } finally {
      this.reconciling = false;
    }
  }

  workloads(): GpuWorkload[] {
    const now = this.now();
    return [...this.tracked.values()].map((t) => describe(t, now));
  }

  capacity(): { total: number; used: number; free: number } {
    const total = this.nodes.reduce((sum, n) => sum + n.gpus, 0);
    const used = [...this.tracked.values()].filter((t) => t.state === 'running').reduce((sum, t) => sum + gpusOf(t), 0);
    return { total, used, free: total - used };
  }

  /** Coalesces store events into one reconcile, run outside the store's write (listeners must not write). */
  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (this.unsubscribe !== undefined) this.safeReconcile();
    });
  }

  private safeReconcile(): void {
    try {
      this.reconcile();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Syncs bookkeeping with the store: new, deleted, suspended and resumed workloads. */
  private observe(now: number): void {
    const seen = new Set<string>();
    for (const kind of KINDS) {
      for (const object of this.store.list(kind.resource, undefined)) {
        const meta = metaOf(object);
        const key = `${kind.kind}/${String(meta.namespace)}/${String(meta.name)}`;
        let t = this.tracked.get(key);
        if (t !== undefined && t.uid !== meta.uid) this.forget(key, t);
        t = this.tracked.get(key);
        const demand = t !== undefined && t.state !== 'pending' ? t.demand : kind.demand(object, this.classes);
        if (demand.pods.reduce((sum, pod) => sum + pod.gpus, 0) === 0) continue;
        seen.add(key);
        if (t === undefined) {
          t = trackedFrom(kind, object, demand, (this.seq += 1));
          t.pendingSince = now;
          this.tracked.set(key, t);
        }
        t.object = object;
        t.demand = demand;
        this.applySuspend(t, now);
      }
    }
    for (const [key, t] of this.tracked) if (!seen.has(key)) this.forget(key, t);
  }

  /** A deleted workload's pods go too, as the garbage collector would take them. */
  private forget(key: string, t: TrackedWorkload): void {
    for (const pod of [...t.pods, ...t.retired]) this.pods.delete(t, pod);
    this.tracked.delete(key);
  }

  private applySuspend(t: TrackedWorkload, now: number): void {
    const suspend = t.kind.suspended(t.object);
    if (suspend && (t.state === 'pending' || t.state === 'running')) {
      t.doneMs = runMs(t, now);
      t.segmentStart = undefined;
      for (const pod of t.pods) this.pods.delete(t, pod);
      t.pods = [];
      t.state = 'suspended';
    } else if (!suspend && t.state === 'suspended') {
      t.state = 'pending';
      t.pendingSince = now;
      t.resumed = true;
    }
  }

  /** Moves a running workload on: deadline, scripted failures, completion, checkpoints. */
  private advance(t: TrackedWorkload, now: number): void {
    const script = simScriptOf(t.object);
    const deadline = t.kind.activeDeadlineSeconds(t.object);
    if (deadline !== undefined && now - (t.activeSince ?? now) >= deadline * 1000) {
      return this.fail(t, now, { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    }
    const ran = runMs(t, now);
    if (t.attempts <= script.failAttempts && ran - t.attemptStartMs >= script.failAfterSeconds * 1000) {
      return this.failAttempt(t, now, script.failReason);
    }
    if (script.runSeconds !== undefined && ran >= script.runSeconds * 1000) return this.succeed(t, now);
    this.checkpoint(t, now, script.checkpointEverySeconds, script.checkpointSeconds);
  }

  private failAttempt(t: TrackedWorkload, now: number, reason: string): void {
    const at = kubeTimestamp(new Date(now));
    const failing = t.pods[0];
    if (failing === undefined) return;
    this.pods.end(t, failing, 'Failed', reason, at);
    failing.phase = 'Failed';
    t.failed += 1;
    t.failedReplicaType = failing.demand.replicaType ?? '';
    if (t.failed > t.kind.backoffLimit(t.object)) {
      return this.fail(t, now, { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    }
    // The new attempt starts over from the last checkpoint, on the GPUs the old one held.
    t.attempts += 1;
    t.doneMs = t.checkpointedMs;
    t.attemptStartMs = t.checkpointedMs;
    t.segmentStart = now;
    const replacement = { demand: failing.demand, name: t.kind.podName(t.object, failing.demand), node: failing.node, phase: 'Running' as const };
    if (replacement.name === failing.name) this.pods.delete(t, failing);
    else t.retired.push(failing);
    this.pods.run(t, replacement, at);
    t.pods = [replacement, ...t.pods.slice(1)];
  }

  private fail(t: TrackedWorkload, now: number, failure: { reason: string; message: string }): void {
    t.doneMs = runMs(t, now);
    t.segmentStart = undefined;
    for (const pod of t.pods.filter((p) => p.phase === 'Running' || p.phase === 'Pending')) this.pods.delete(t, pod);
    t.pods = t.pods.filter((p) => p.phase === 'Failed');
    t.state = 'failed';
    t.failure = failure;
  }

  private succeed(t: TrackedWorkload, now: number): void {
    const at = kubeTimestamp(new Date(now));
    for (const pod of t.pods) {
      this.pods.end(t, pod, 'Succeeded', 'Completed', at);
      pod.phase = 'Succeeded';
    }
    t.doneMs = runMs(t, now);
    t.segmentStart = undefined;
    t.state = 'succeeded';
    t.completionTime = at;
  }

  /** Periodic checkpoints, and answers to mlwarden's requests after the time a checkpoint takes. */
  private checkpoint(t: TrackedWorkload, now: number, everySeconds: number | undefined, takesSeconds: number): void {
    const requested = annotationsOf(t.object)[CHECKPOINT_REQUESTED];
    if (requested !== undefined && requested !== t.answeredCheckpointRequest && t.checkpointRequest?.value !== requested) {
      t.checkpointRequest = { value: requested, seenAt: now };
    }
    const request = t.checkpointRequest;
    const answer = request !== undefined && request.value === requested && now - request.seenAt >= takesSeconds * 1000;
    const due = everySeconds !== undefined && now - (t.lastCheckpointAt ?? now) >= everySeconds * 1000;
    if (!answer && !due) return;
    // Any checkpoint written after a request answers it.
    if (request !== undefined && request.value === requested) t.answeredCheckpointRequest = request.value;
    t.checkpointRequest = undefined;
    t.lastCheckpointAt = now;
    t.checkpointedMs = runMs(t, now);
    this.annotate(t, LAST_CHECKPOINT, kubeTimestamp(new Date(now)));
  }

  /** Places pending workloads by priority, then creation time; those that do not fit wait. */
  private place(now: number): void {
    const free = this.freeByNode();
    const pending = [...this.tracked.values()].filter((t) => t.state === 'pending').sort(byPriorityThenAge);
    for (const t of pending) {
      const nodes = placePods(free, t.demand.pods.map((p) => p.gpus));
      if (nodes === undefined) {
        this.keepPending(t, free, now);
        continue;
      }
      t.demand.pods.forEach((pod, i) => free.set(nodes[i] as string, (free.get(nodes[i] as string) ?? 0) - pod.gpus));
      this.run(t, nodes, now);
    }
  }

  private run(t: TrackedWorkload, nodes: string[], now: number): void {
    const at = kubeTimestamp(new Date(now));
    if (t.pods.length !== t.demand.pods.length) this.dropPods(t);
    t.pods = t.demand.pods.map((demand, i) => ({ demand, name: t.pods[i]?.name ?? t.kind.podName(t.object, demand), node: nodes[i] as string, phase: 'Running' as const }));
    for (const pod of t.pods) this.pods.run(t, pod, at);
    t.state = 'running';
    t.segmentStart = now;
    t.activeSince = now;
    t.lastCheckpointAt ??= now;
    t.startTime ??= at;
    if (t.attempts === 0) t.attempts = 1;
  }

  /** A workload that does not fit keeps Pending pods saying why, for collectors to report. */
  private keepPending(t: TrackedWorkload, free: ReadonlyMap<string, number>, now: number): void {
    const message = unschedulableMessage(free, Math.max(...t.demand.pods.map((p) => p.gpus)));
    if (t.pods.length !== t.demand.pods.length) this.dropPods(t);
    if (t.pods.length > 0) {
      for (const pod of t.pods) this.pods.refreshPending(t, pod, message);
      return;
    }
    const at = kubeTimestamp(new Date(now));
    t.pods = t.demand.pods.map((demand) => ({ demand, name: t.kind.podName(t.object, demand), phase: 'Pending' as const }));
    for (const pod of t.pods) this.pods.createPending(t, pod, message, at);
  }

  private dropPods(t: TrackedWorkload): void {
    for (const pod of t.pods) this.pods.delete(t, pod);
    t.pods = [];
  }

  private freeByNode(): Map<string, number> {
    const free = new Map(this.nodes.map((n) => [n.name, n.gpus]));
    for (const t of this.tracked.values()) {
      if (t.state !== 'running') continue;
      for (const pod of t.pods) if (pod.node !== undefined) free.set(pod.node, (free.get(pod.node) ?? 0) - pod.demand.gpus);
    }
    return free;
  }

  /** Writes go to the latest version: re-read, change, update with its resourceVersion. */
  private annotate(t: TrackedWorkload, key: string, value: string): void {
    const stored = this.store.get(t.kind.resource, t.namespace, t.name);
    const meta = metaOf(stored);
    meta.annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}), [key]: value };
    t.object = this.store.update(t.kind.resource, t.namespace, t.name, stored);
  }

  private writeStatus(t: TrackedWorkload, now: number): void {
    const stored: JsonObject = this.store.get(t.kind.resource, t.namespace, t.name);
    stored.status = t.kind.status(stored, snapshotOf(t), kubeTimestamp(new Date(now)));
    t.object = this.store.update(t.kind.resource, t.namespace, t.name, stored, { subresource: 'status' });
  }
}

function byPriorityThenAge(a: TrackedWorkload, b: TrackedWorkload): number {
  if (a.demand.priority !== b.demand.priority) return b.demand.priority - a.demand.priority;
  if (a.creationTimestamp !== b.creationTimestamp) return a.creationTimestamp < b.creationTimestamp ? -1 : 1;
  return a.seq - b.seq;
}
