/**
 * A policy engine wired to real parts: the Kubernetes API emulator (with its GPU scheduler and
 * Deployment / InferenceService controllers) through @kubernetes/client-node, the KFP emulator,
 * and the actions table on chDB. Time is a test clock shared by all of them; signals (drift
 * episodes, firing alerts, budgets, GPU utilisation) are what the test says they are.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadPolicySpecs, type DriftEpisodeSignal, type Policy, type RecoveryObservation, type UtilizationMinute } from '../../src/domain/policy/index.js';
import { ActionExecutor, KfpClient, kubeApis, KubeObjects, PolicyEngine, PolicyMetrics, type FiringAlert, type KubeApis } from '../../src/orchestration/index.js';
import {
  DeploymentController,
  GpuScheduler,
  InferenceServiceController,
  startKfpEmulator,
  startKubeApiEmulator,
  type KfpEmulator,
  type KubeApiEmulator,
} from '../../src/simulate/index.js';
import { ActionLog } from '../../src/store/index.js';
import type { TestStore } from '../support/test-store.js';

export const T0 = Date.parse('2026-11-20T10:00:00Z');
export const MIN = 60_000;

export class TestClock {
  constructor(public ms = T0) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The signals the engine reads, set by the test. */
export class TestInputs {
  drift: DriftEpisodeSignal[] = [];
  alerts: FiringAlert[] = [];
  budgets: Record<string, number | undefined> = {};
  utilization = new Map<string, UtilizationMinute[]>();
  recovery: RecoveryObservation = { burnRate: undefined, alertFiring: true };

  driftEpisodes = async () => this.drift;
  firingAlerts = async () => this.alerts;
  budgetsNow = async () => this.budgets;
  gpuUtilization = async () => this.utilization;
}

export interface Cluster {
  clock: TestClock;
  emulator: KubeApiEmulator;
  kfp: KfpEmulator;
  scheduler: GpuScheduler;
  isvcs: InferenceServiceController;
  deployments: DeploymentController;
  kubeConfig: KubeConfig;
  apis: KubeApis;
  close(): Promise<void>;
}

export async function startCluster(options: { gpus?: number; priorityClasses?: Record<string, number>; clock?: TestClock } = {}): Promise<Cluster> {
  const clock = options.clock ?? new TestClock();
  const emulator = await startKubeApiEmulator({ now: () => new Date(clock.ms) });
  const kfp = await startKfpEmulator({ now: clock.now });
  kfp.addPipelineVersion('fraud-pipeline', 'fraud-v3');
  const scheduler = new GpuScheduler(emulator.store, { gpus: options.gpus ?? 8, nodes: 2, now: clock.now, priorityClasses: options.priorityClasses ?? { low: 100, high: 1000 } });
  const isvcs = new InferenceServiceController(emulator.store, { now: clock.now });
  const deployments = new DeploymentController(emulator.store, { now: clock.now });
  scheduler.start();
  isvcs.start();
  deployments.start();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions(emulator.kubeConfig());
  return {
    clock, emulator, kfp, scheduler, isvcs, deployments, kubeConfig, apis: kubeApis(kubeConfig),
    async close() {
      scheduler.stop();
      isvcs.stop();
      deployments.stop();
      await Promise.all([emulator.close(), kfp.close()]);
    },
  };
}

export interface Engine {
  engine: PolicyEngine;
  inputs: TestInputs;
  log: ActionLog;
  policies: Policy[];
  registry: Registry;
}

/** Fast retries so fault-injection tests do not wait seconds. */
export const FAST_BACKOFF = { attempts: 5, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 };

export function policiesFrom(yaml: string): Policy[] {
  return loadPolicySpecs([{ name: 'test-policies.yaml', text: yaml }]);
}

export function startEngine(cluster: Cluster, store: TestStore, policies: Policy[], options: { inputs?: TestInputs; identity?: string; verifyRecovery?: boolean } = {}): Engine {
  const inputs = options.inputs ?? new TestInputs();
  const log = new ActionLog(store.store.client, store.ctx.database);
  const objects = new KubeObjects(cluster.apis.custom, FAST_BACKOFF);
  const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const registry = new Registry();
  const executor = new ActionExecutor({
    objects, core: cluster.apis.core, kfp: new KfpClient({ url: cluster.kfp.url }, FAST_BACKOFF), identity: options.identity ?? 'test-replica',
    now: cluster.clock.now, policy: (name) => policies.find((p) => p.name === name), logger,
    ...(options.verifyRecovery ? { sloRecovery: async () => inputs.recovery } : {}),
    recoveryRules: { settleMs: 5 * MIN, deadlineMs: 30 * MIN, maxBurnRate: 1 },
  });
  const engine = new PolicyEngine({
    policies, log, objects, core: cluster.apis.core, executor, now: cluster.clock.now, logger, metrics: new PolicyMetrics(registry, cluster.clock.now),
    inputs: { driftEpisodes: inputs.driftEpisodes, firingAlerts: inputs.firingAlerts, budgets: inputs.budgetsNow, gpuUtilization: inputs.gpuUtilization },
  });
  return { engine, inputs, log, policies, registry };
}

/** A drift episode on the fraud model opened at `start`. */
export function fraudDrift(start = T0 - 30 * MIN): DriftEpisodeSignal {
  return { kind: 'drift_episode', model: 'fraud', version: 'v2', episodeStart: start, openedAt: start + 10 * MIN, driftShare: 0.5, peakPsi: 0.42, features: ['amount', 'merchant'] };
}

/** Events recorded in a namespace, oldest first, as `reason: message`. */
export async function eventsIn(cluster: Cluster, namespace: string): Promise<Array<{ reason: string; message: string; kind: string; name: string }>> {
  const list = await cluster.apis.core.listNamespacedEvent({ namespace });
  return list.items.map((e) => ({ reason: e.reason ?? '', message: e.message ?? '', kind: e.involvedObject.kind ?? '', name: e.involvedObject.name ?? '' }));
}
