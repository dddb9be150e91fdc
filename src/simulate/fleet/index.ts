/**
 * The fleet simulator behind `mlwarden demo`: a small Kubeflow-style platform (served models, GPU
 * jobs, pipelines) on the emulated cluster, its telemetry, and a scenario of failures.
 */
export { SimClock } from './sim-clock.js';
export { SeededRandom } from './seeded-random.js';
export { parseScenario, readScenario, scenarioSchema } from './scenario.js';
export type { Scenario, ScenarioEvent, ServedModel, JobSpec, PipelineSpec } from './scenario.js';
export { requestBatch, latencyBuckets, diurnalFactor, LATENCY_BUCKETS_MS } from './traffic.js';
export type { TrafficSource } from './traffic.js';
export { FleetCluster, RETRAIN_PIPELINE } from './fleet-cluster.js';
export { FleetSimulator } from './fleet-simulator.js';
export type { FleetEvent } from './fleet-simulator.js';
export { registerBaselines } from './baselines.js';
export { DemoStory } from './demo-story.js';
export type { ActionChange, AlertChange, StoryStream } from './demo-story.js';
