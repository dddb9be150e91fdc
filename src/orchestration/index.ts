/**
 * The orchestration layer: the only code that calls Kubernetes (`@kubernetes/client-node`) or the
 * Kubeflow Pipelines API.
 *
 *   const elector = new LeaderElector({ kubeConfig, namespace, leaseName, identity, onStartedLeading, onStoppedLeading });
 *   elector.start();            // contends for the Lease; act only while elector.isLeader()
 *   await elector.stop();       // steps down and releases the Lease
 *
 *   const engine = new PolicyEngine({ policies, inputs, log, objects, core, executor, now, logger });
 *   await engine.pass(signal);  // one level-triggered pass: decide, record, step actions in flight
 *   await engine.approve(id, actor) / engine.reject(id, actor)
 */
export { LeaderElector, LEASE_DURATION_MS_ANNOTATION } from './leader-election.js';
export type { LeaderElectionEvent, LeaderElectorOptions } from './leader-election.js';
export { kubeApis } from './kube-apis.js';
export type { KubeApis } from './kube-apis.js';
export { KubeObjects } from './kube-objects.js';
export { KfpClient } from './kfp-client.js';
export type { KfpOptions } from './kfp-client.js';
export { ActionExecutor } from './action-executor.js';
export type { ExecutorDeps } from './action-executor.js';
export { PolicyEngine } from './policy-engine.js';
export type { FiringAlert, PassReport, PolicyEngineDeps, PolicyInputs } from './policy-engine.js';
export { PolicyMetrics } from './policy-metrics.js';
export { paramEnvName } from './retrain-launcher.js';
export * as markers from './action-markers.js';
export { loadKubeConfig, startPolicyRuntime } from './policy-runtime.js';
export type { KubeSource, PolicyRuntime, PolicyRuntimeOptions } from './policy-runtime.js';
export { readGpuPool } from './gpu-cluster.js';
export type { GpuCluster } from './gpu-cluster.js';
export type { Workload } from './gpu-workloads.js';
