import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LeaderElector, type LeaderElectionEvent } from '../../src/orchestration/index.js';
import { startKubeApiEmulator, type KubeApiEmulator } from '../../src/simulate/index.js';
import { link, sleep, until, type Link } from '../support/network-link.js';

const NS = 'mlwarden';
const LEASE = 'mlwarden-leader';
const LEASE_MS = 1_500;
const DEADLINE_MS = 1_000;
const RETRY_MS = 200;
/** Scheduling and loopback HTTP latency allowed on top of the protocol's own bounds. */
const SLACK_MS = 250;

/** One replica under test: its elector, its link to the API server, and what it saw. */
interface Replica {
  identity: string;
  elector: LeaderElector;
  link: Link;
  events: LeaderElectionEvent[];
  started: number[];
  stopped: number[];
  aborted: number[];
  signals: AbortSignal[];
}

let emulator: KubeApiEmulator;
let api: CoordinationV1Api;
let replicas: Replica[];
/** Replicas whose onStartedLeading ran and whose signal has not aborted yet: must never exceed one. */
let acting: Set<string>;
let maxActing: number;

beforeEach(async () => {
  emulator = await startKubeApiEmulator();
  const kc = new KubeConfig();
  kc.loadFromOptions(emulator.kubeConfig(NS));
  api = kc.makeApiClient(CoordinationV1Api);
  replicas = [];
  acting = new Set();
  maxActing = 0;
});

afterEach(async () => {
  emulator.faults.clear();
  await Promise.all(replicas.map((r) => r.elector.stop()));
  await Promise.all(replicas.map((r) => r.link.close()));
  await emulator.close();
});

async function replica(identity: string, overrides: { onStartedLeading?: (signal: AbortSignal) => void } = {}): Promise<Replica> {
  const proxy = await link(emulator.url);
  const kubeConfig = new KubeConfig();
  const options = emulator.kubeConfig(NS);
  kubeConfig.loadFromOptions({ ...options, clusters: options.clusters.map((c) => ({ ...c, server: proxy.url })) });
  const r = { identity, link: proxy, events: [], started: [], stopped: [], aborted: [], signals: [] } as Omit<Replica, 'elector'> & { elector?: LeaderElector };
  const elector = new LeaderElector({
    kubeConfig,
    namespace: NS,
    leaseName: LEASE,
    identity,
    leaseDurationMs: LEASE_MS,
    renewDeadlineMs: DEADLINE_MS,
    retryPeriodMs: RETRY_MS,
    onStartedLeading: (signal) => {
      r.started.push(performance.now());
      r.signals.push(signal);
      acting.add(identity);
      maxActing = Math.max(maxActing, acting.size);
      signal.addEventListener('abort', () => {
        r.aborted.push(performance.now());
        acting.delete(identity);
      });
      overrides.onStartedLeading?.(signal);
    },
    onStoppedLeading: () => r.stopped.push(performance.now()),
    onEvent: (event) => r.events.push(event),
  });
  const ready: Replica = { ...r, elector };
  replicas.push(ready);
  return ready;
}

async function pair(): Promise<{ leader: Replica; follower: Replica }> {
  const a = await replica('replica-a');
  const b = await replica('replica-b');
  a.elector.start();
  b.elector.start();
  await until(() => a.elector.isLeader() || b.elector.isLeader(), 3_000, 'a leader');
  const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
  await until(() => follower.elector.observedLeader === leader.identity, 3_000, 'the follower to see the leader');
  return { leader, follower };
}

const readLease = () => api.readNamespacedLease({ namespace: NS, name: LEASE });

describe('LeaderElector on a coordination.k8s.io/v1 Lease (emulator, two replicas in one process)', () => {
  test('exactly one of two replicas leads at any time, and the Lease names it', async () => {
    const { leader, follower } = await pair();
    let samples = 0;
    const end = performance.now() + 2_500;
    while (performance.now() < end) {
      const leaders = [leader, follower].filter((r) => r.elector.isLeader()).length;
      expect(leaders).toBe(1);
      samples += 1;
      await sleep(3);
    }
    expect(samples).toBeGreaterThan(100);
    expect(maxActing).toBe(1);
    expect(leader.started).toHaveLength(1);
    expect(follower.started).toHaveLength(0);
    expect(leader.stopped).toHaveLength(0);
    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(leader.identity);
    expect(lease.spec?.leaseTransitions).toBe(0);
    expect(lease.spec?.leaseDurationSeconds).toBe(2); // 1.5 s rounded up; exact value in the annotation
    expect(lease.metadata?.annotations?.['mlwarden.io/lease-duration-ms']).toBe('1500');
    // renewed every retry period while leading
    const renewedAt = Date.parse(String(lease.spec?.renewTime));
    expect(Date.now() - renewedAt).toBeLessThan(RETRY_MS + SLACK_MS);
  });

  test('a leader cut off without releasing stops acting after the renew deadline; the other takes over within the lease duration', async () => {
    const { leader, follower } = await pair();
    await sleep(300);
    const cutAt = performance.now();
    leader.link.cut();

    const abortedAt = await until(() => leader.aborted.length === 1, DEADLINE_MS + SLACK_MS + 200, 'the old leader to step down');
    expect(leader.elector.isLeader()).toBe(false);
    expect(leader.signals[0]?.aborted).toBe(true);
    expect(leader.stopped).toHaveLength(1);
    // it kept leading until the renew deadline (counted from its last renewal, at most one retry period before the cut)
    expect(abortedAt - cutAt).toBeGreaterThanOrEqual(DEADLINE_MS - RETRY_MS - 50);
    expect(abortedAt - cutAt).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);

    const tookOverAt = await until(() => follower.elector.isLeader(), LEASE_MS + RETRY_MS + SLACK_MS + 200, 'the follower to take over');
    // not before the lease expired, and within lease duration (+ one retry period to notice)
    expect(tookOverAt - cutAt).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS - 50);
    expect(tookOverAt - cutAt).toBeLessThanOrEqual(LEASE_MS + RETRY_MS + SLACK_MS);
    // the old leader had stopped acting before the new one started: never two at once
    expect(tookOverAt).toBeGreaterThan(abortedAt);
    expect(maxActing).toBe(1);

    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(follower.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);
    expect(Date.parse(String(lease.spec?.acquireTime))).toBeGreaterThan(Date.now() - (LEASE_MS + 1_000));
    // the cut-off replica kept retrying and reported failures instead of throwing
    expect(leader.events.some((e) => e.type === 'error' && e.operation === 'read')).toBe(true);
  });

  test('a graceful stop() releases the Lease and the other replica takes over at once', async () => {
    const { leader, follower } = await pair();
    await sleep(300);
    const stopAt = performance.now();
    await leader.elector.stop();
    expect(leader.elector.isLeader()).toBe(false);
    expect(leader.signals[0]?.aborted).toBe(true);
    expect(leader.stopped).toHaveLength(1);
    expect(leader.events.some((e) => e.type === 'released')).toBe(true);

    const tookOverAt = await until(() => follower.elector.isLeader(), LEASE_MS, 'the follower to take over');
    // next retry period, not the lease duration
    expect(tookOverAt - stopAt).toBeLessThan(RETRY_MS + SLACK_MS);
    expect(maxActing).toBe(1);
    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe(follower.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  test('a short burst of 500s on the Lease (shorter than the renew deadline) does not make the leader step down', async () => {
    const { leader, follower } = await pair();
    await sleep(300);
    emulator.faults.add({ path: `/leases/${LEASE}`, status: 500, times: 2 });
    await sleep(DEADLINE_MS + 500);
    expect(leader.elector.isLeader()).toBe(true);
    expect(leader.stopped).toHaveLength(0);
    expect(follower.elector.isLeader()).toBe(false);
    const errors = [...leader.events, ...follower.events].filter((e) => e.type === 'error');
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.type === 'error' && e.status === 500)).toBe(true);
  });

  test('persistent 500s on the Lease make the leader step down only after the renew deadline, and election resumes when they end', async () => {
    const { leader, follower } = await pair();
    await sleep(300);
    const faultAt = performance.now();
    emulator.faults.add({ path: `/leases/${LEASE}`, status: 500, times: 100_000 });

    await sleep(DEADLINE_MS - RETRY_MS - 100);
    expect(leader.elector.isLeader()).toBe(true); // still within the renew deadline
    const abortedAt = await until(() => !leader.elector.isLeader(), DEADLINE_MS + SLACK_MS, 'the leader to step down');
    expect(abortedAt - faultAt).toBeGreaterThanOrEqual(DEADLINE_MS - RETRY_MS - 50);
    expect(abortedAt - faultAt).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    expect(leader.signals[0]?.aborted).toBe(true);
    expect(leader.stopped).toHaveLength(1);
    expect(follower.elector.isLeader()).toBe(false); // nobody can read the Lease: nobody leads

    emulator.faults.clear();
    await until(() => leader.elector.isLeader() || follower.elector.isLeader(), LEASE_MS + RETRY_MS + SLACK_MS, 'a leader after the outage');
    expect(maxActing).toBe(1);
    expect([leader, follower].filter((r) => r.elector.isLeader())).toHaveLength(1);
  });

  test('a renewal that hangs past the renew deadline makes the leader stop acting while it hangs; nobody else leads before expiry', async () => {
    const { leader, follower } = await pair();
    await sleep(300);
    const hangAt = performance.now();
    emulator.faults.add({ method: 'PUT', path: `/leases/${LEASE}`, delayMs: DEADLINE_MS + 200 });
    const abortedAt = await until(() => leader.aborted.length === 1, DEADLINE_MS + SLACK_MS + 200, 'the step-down while the renewal hangs');
    expect(abortedAt - hangAt).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    expect(follower.elector.isLeader()).toBe(false);
    // the late answer does not count (no start-and-abort flap); election carries on with one leader
    await sleep(DEADLINE_MS);
    expect([leader, follower].filter((r) => r.elector.isLeader())).toHaveLength(1);
    for (const r of [leader, follower]) r.aborted.forEach((at, i) => expect(at - (r.started[i] ?? 0)).toBeGreaterThan(RETRY_MS));
    expect(maxActing).toBe(1);
  });

  test('a Lease held by another, unexpired holder is left alone; once expired it is taken over with leaseTransitions + 1', async () => {
    const at = new V1MicroTime(Date.now());
    await api.createNamespacedLease({
      namespace: NS,
      body: { metadata: { name: LEASE }, spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 1, renewTime: at, acquireTime: at, leaseTransitions: 4 } },
    });
    const r = await replica('replica-a');
    const startAt = performance.now();
    r.elector.start();
    await sleep(600);
    expect(r.elector.isLeader()).toBe(false);
    expect(r.elector.observedLeader).toBe('someone-else');
    const tookOverAt = await until(() => r.elector.isLeader(), 1_000 + RETRY_MS + SLACK_MS, 'the takeover');
    expect(tookOverAt - startAt).toBeGreaterThanOrEqual(1_000 - 50);
    const lease = await readLease();
    expect(lease.spec?.holderIdentity).toBe('replica-a');
    expect(lease.spec?.leaseTransitions).toBe(5);
  });

  test('a leader steps down at its next renewal when the Lease shows another holder, and callback errors are reported, not thrown', async () => {
    const r = await replica('replica-a', {
      onStartedLeading: () => {
        throw new Error('boom');
      },
    });
    r.elector.start();
    await until(() => r.elector.isLeader(), 2_000, 'leadership');
    expect(r.events).toContainEqual({ type: 'error', identity: 'replica-a', operation: 'callback', message: 'boom' });

    const read = await readLease();
    const at = new V1MicroTime(Date.now() + 60_000);
    const seenAt = performance.now();
    await api.replaceNamespacedLease({ namespace: NS, name: LEASE, body: { ...read, spec: { ...read.spec, holderIdentity: 'intruder', renewTime: at } } });
    const steppedDownAt = await until(() => !r.elector.isLeader(), RETRY_MS + SLACK_MS + 200, 'the step-down');
    expect(steppedDownAt - seenAt).toBeLessThan(RETRY_MS + SLACK_MS);
    expect(r.signals[0]?.aborted).toBe(true);
    expect(r.events.some((e) => e.type === 'stopped-leading' && e.reason.includes('intruder'))).toBe(true);
    // stop() must not release a Lease it no longer holds
    await r.elector.stop();
    expect((await readLease()).spec?.holderIdentity).toBe('intruder');
  });
});
