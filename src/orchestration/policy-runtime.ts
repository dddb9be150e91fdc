/**
 * The policy engine as it runs in `mlwarden serve`: every replica contends for the Lease; only the
 * leader runs passes, and a pass in flight stops stepping actions the moment leadership is lost.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Policy, RecoveryObservation, RecoveryRules } from '../domain/policy/index.js';
import type { ActionLog } from '../store/index.js';
import { ActionExecutor } from './action-executor.js';
import { KfpClient, type KfpOptions } from './kfp-client.js';
import { kubeApis } from './kube-apis.js';
import { KubeObjects } from './kube-objects.js';
import { LeaderElector } from './leader-election.js';
import { PolicyEngine, type PolicyInputs } from './policy-engine.js';
import { PolicyMetrics } from './policy-metrics.js';

/** Where the cluster is: in-cluster service account, a kubeconfig file, or options (the emulator's). */
export type KubeSource = { kind: 'in-cluster' } | { kind: 'file'; path: string } | { kind: 'options'; options: Parameters<KubeConfig['loadFromOptions']>[0] };

export function loadKubeConfig(source: KubeSource): KubeConfig {
  const kc = new KubeConfig();
  if (source.kind === 'in-cluster') kc.loadFromCluster();
  else if (source.kind === 'file') kc.loadFromFile(source.path);
  else kc.loadFromOptions(source.options);
  return kc;
}

export interface PolicyRuntimeOptions {
  kubeConfig: KubeConfig;
  policies: readonly Policy[];
  inputs: PolicyInputs;
  log: ActionLog;
  identity: string;
  lease: { namespace: string; name: string; durationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  intervalMs: number;
  kfp?: KfpOptions | undefined;
  recovery: RecoveryRules;
  sloRecovery?: ((slo: string) => Promise<RecoveryObservation>) | undefined;
  onEscalated?: ((slo: string, message: string) => void) | undefined;
  registry: Registry;
  logger: Logger;
  now: () => number;
}

export interface PolicyRuntime {
  engine: PolicyEngine;
  isLeader(): boolean;
  stop(): Promise<void>;
}

async function leadPasses(engine: PolicyEngine, intervalMs: number, signal: AbortSignal, logger: Logger): Promise<void> {
  while (!signal.aborted) {
    try {
      const report = await engine.pass(signal);
      if (report.decided.length + report.stepped.length > 0) logger.debug({ decided: report.decided.length, stepped: report.stepped.length }, 'policy pass');
    } catch (error) {
      logger.error({ err: error }, 'policy pass failed');
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}

export function startPolicyRuntime(o: PolicyRuntimeOptions): PolicyRuntime {
  const apis = kubeApis(o.kubeConfig);
  const objects = new KubeObjects(apis.custom);
  const logger = o.logger.child({ component: 'policy-engine' });
  const executor = new ActionExecutor({
    objects, core: apis.core, kfp: o.kfp?.url ? new KfpClient(o.kfp) : undefined, identity: o.identity, now: o.now,
    policy: (name) => o.policies.find((p) => p.name === name), sloRecovery: o.sloRecovery, recoveryRules: o.recovery, onEscalated: o.onEscalated, logger,
  });
  const engine = new PolicyEngine({ policies: o.policies, inputs: o.inputs, log: o.log, objects, core: apis.core, executor, now: o.now, logger, metrics: new PolicyMetrics(o.registry, o.now) });
  let passes: Promise<void> | undefined;
  const elector = new LeaderElector({
    kubeConfig: o.kubeConfig, namespace: o.lease.namespace, leaseName: o.lease.name, identity: o.identity,
    leaseDurationMs: o.lease.durationMs, renewDeadlineMs: o.lease.renewDeadlineMs, retryPeriodMs: o.lease.retryPeriodMs,
    onStartedLeading: (signal) => {
      logger.info({ identity: o.identity }, 'leading: the policy engine acts from this replica');
      passes = leadPasses(engine, o.intervalMs, signal, logger);
    },
    onStoppedLeading: () => logger.info({ identity: o.identity }, 'no longer leading: the policy engine stops acting here'),
    onEvent: (event) => {
      if (event.type === 'error') logger.warn(event, 'leader election');
    },
  });
  elector.start();
  return {
    engine,
    isLeader: () => elector.isLeader(),
    async stop() {
      await elector.stop();
      await passes;
    },
  };
}
