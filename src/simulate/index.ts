/**
 * In-process Kubernetes API emulator served on loopback, for the demo, backtests and tests.
 *
 *   const emulator = await startKubeApiEmulator();          // { port?, historyLimit?, now? }
 *   const kc = new KubeConfig();                            // in src/orchestration only
 *   kc.loadFromOptions(emulator.kubeConfig('ml'));          // http://127.0.0.1:PORT, skipTLSVerify
 *   …                                                       // CoreV1Api, CustomObjectsApi, Watch, …
 *   await emulator.close();
 *
 * `emulator.store` reads and seeds state without HTTP; `store.compact()` forces 410 Expired on
 * older watches; `emulator.faults.add({ method: 'PATCH', status: 500 })` injects failures.
 */
export { startKubeApiEmulator, createKubeApiApp } from './kube-api-server.js';
export type { KubeApiEmulator, KubeApiEmulatorOptions } from './kube-api-server.js';
export { ObjectStore } from './object-store.js';
export { FaultInjector } from './fault-injection.js';
export type { FaultRule } from './fault-injection.js';
export type { ObjectStoreOptions } from './object-store.js';
export { emulatorKubeConfig, emulatorKubeConfigYaml, EMULATOR_CONTEXT } from './kubeconfig.js';
export type { EmulatorKubeConfig } from './kubeconfig.js';
export { KubeApiError } from './kube-status.js';
export type { KubeStatus } from './kube-status.js';
export { RESOURCE_TYPES, findResourceType, apiVersionOf } from './resource-registry.js';
export type { ResourceType } from './resource-registry.js';
export type { JsonObject, JsonValue } from './json.js';
export { GpuScheduler } from './gpu-scheduler.js';
export type { GpuSchedulerOptions, GpuWorkload } from './gpu-scheduler.js';
export { startKfpEmulator } from './kfp-api-server.js';
export type { KfpEmulator, KfpEmulatorOptions } from './kfp-api-server.js';
export type { KfpRun, KfpRunState } from './kfp-run.js';
export { DeploymentController } from './deployment-controller.js';
export { InferenceServiceController } from './inferenceservice-controller.js';
export { AccessLog } from './access-log.js';
export type { AccessRecord, RbacRule } from './access-log.js';
export { DemoStory, FleetCluster, FleetSimulator, parseScenario, readScenario, registerBaselines, SimClock } from './fleet/index.js';
export type { ActionChange, AlertChange, Scenario, StoryStream } from './fleet/index.js';
