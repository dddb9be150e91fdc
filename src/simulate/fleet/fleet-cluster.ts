/**
 * The demo's Kubernetes cluster: the API emulator with its GPU scheduler and Deployment /
 * InferenceService controllers, plus a Kubeflow Pipelines API, all on the simulated clock. It seeds
 * the scenario's serving objects and jobs, performs rollouts the way a CD system would (by changing
 * the InferenceService predictor or the Deployment template), and tells which version serves now —
 * so a rollback mlwarden makes changes the traffic the simulator generates.
 */
import { DeploymentController } from '../deployment-controller.js';
import { GpuScheduler } from '../gpu-scheduler.js';
import { InferenceServiceController } from '../inferenceservice-controller.js';
import type { JsonObject } from '../json.js';
import { startKfpEmulator, type KfpEmulator } from '../kfp-api-server.js';
import { startKubeApiEmulator, type KubeApiEmulator } from '../kube-api-server.js';
import type { EmulatorKubeConfig } from '../kubeconfig.js';
import { findResourceType, type ResourceType } from '../resource-registry.js';
import { SIM_ANNOTATIONS } from '../gpu-annotations.js';
import { GPU_PROFILE_ANNOTATION } from './gpu-telemetry.js';
import type { JobSpec, Scenario, ServedModel } from './scenario.js';

export const VERSION_LABEL = 'app.kubernetes.io/version';
/** The KFP pipeline the demo's retraining policy starts (examples/demo/policies.yaml). */
export const RETRAIN_PIPELINE = { pipelineId: 'fraud-training', versionId: 'fraud-training-v3' } as const;

const resource = (group: string, version: string, plural: string) => findResourceType(group, version, plural) as ResourceType;
const ISVC = resource('serving.kserve.io', 'v1beta1', 'inferenceservices');
const DEPLOYMENTS = resource('apps', 'v1', 'deployments');
const JOBS = resource('batch', 'v1', 'jobs');

export interface FleetClusterOptions {
  now: () => number;
  onError: (error: unknown) => void;
  /** Real milliseconds between scheduler passes (the scheduler also reacts to every change). */
  schedulerIntervalMs?: number;
}

function predictor(model: ServedModel, version: string): JsonObject {
  return { labels: { [VERSION_LABEL]: version }, model: { modelFormat: { name: 'xgboost' }, storageUri: `s3://models/${model.name}/${version}` } };
}

function podTemplate(model: ServedModel, version: string): JsonObject {
  return {
    metadata: { labels: { app: model.name, [VERSION_LABEL]: version } },
    spec: { containers: [{ name: 'server', image: `registry.local/${model.name}-server:${version}` }, { name: 'istio-proxy', image: 'istio/proxyv2:1.22' }] },
  };
}

function servingObject(model: ServedModel): JsonObject {
  const metadata = { name: model.name, namespace: model.namespace };
  if (model.serving === 'kserve') return { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata, spec: { predictor: predictor(model, model.version) } };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: 3, selector: { matchLabels: { app: model.name } }, template: podTemplate(model, model.version) } };
}

export function jobObject(job: JobSpec): JsonObject {
  const annotations: Record<string, string> = {
    [GPU_PROFILE_ANNOTATION]: job.gpu_profile,
    [SIM_ANNOTATIONS.checkpointSeconds]: '20',
    ...(job.run === undefined ? {} : { [SIM_ANNOTATIONS.runSeconds]: String(job.run / 1000) }),
    ...(job.checkpoint_every === undefined ? {} : { [SIM_ANNOTATIONS.checkpointEverySeconds]: String(job.checkpoint_every / 1000) }),
    ...(job.fail_attempts === 0
      ? {}
      : { [SIM_ANNOTATIONS.failAttempts]: String(job.fail_attempts), [SIM_ANNOTATIONS.failReason]: job.fail_reason, [SIM_ANNOTATIONS.failAfterSeconds]: String(job.fail_after / 1000) }),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: job.name, namespace: job.namespace, labels: { 'app.kubernetes.io/part-of': 'ml-platform' }, annotations },
    spec: {
      backoffLimit: Math.max(0, job.fail_attempts - 1),
      template: {
        spec: {
          restartPolicy: 'Never',
          priorityClassName: job.priority,
          containers: [{ name: 'train', image: `registry.local/trainers/${job.name}:latest`, resources: { limits: { 'nvidia.com/gpu': String(job.gpus) } } }],
        },
      },
    },
  };
}

export class FleetCluster {
  private constructor(
    readonly emulator: KubeApiEmulator,
    readonly kfp: KfpEmulator,
    readonly scheduler: GpuScheduler,
    private readonly controllers: Array<InferenceServiceController | DeploymentController>,
    private readonly models: readonly ServedModel[],
  ) {}

  static async start(scenario: Scenario, options: FleetClusterOptions): Promise<FleetCluster> {
    const emulator = await startKubeApiEmulator({ now: () => new Date(options.now()) });
    const kfp = await startKfpEmulator({ now: options.now });
    kfp.addPipelineVersion(RETRAIN_PIPELINE.pipelineId, RETRAIN_PIPELINE.versionId, 'fraud training');
    const { onError, now } = options;
    const scheduler = new GpuScheduler(emulator.store, { gpus: scenario.gpu_pool.gpus, nodes: scenario.gpu_pool.nodes, priorityClasses: scenario.priority_classes, now, onError });
    const controllers = [new InferenceServiceController(emulator.store, { now, onError }), new DeploymentController(emulator.store, { now, onError })];
    const cluster = new FleetCluster(emulator, kfp, scheduler, controllers, scenario.models);
    for (const model of scenario.models) emulator.store.create(model.serving === 'kserve' ? ISVC : DEPLOYMENTS, model.namespace, servingObject(model));
    scheduler.start(options.schedulerIntervalMs ?? 250);
    for (const c of controllers) c.start();
    for (const job of scenario.jobs) cluster.submit(job);
    return cluster;
  }

  kubeConfig(namespace: string): EmulatorKubeConfig {
    return this.emulator.kubeConfig(namespace);
  }

  submit(job: JobSpec): void {
    this.emulator.store.create(JOBS, job.namespace, jobObject(job));
  }

  /** A CD system rolling out `version`: a new predictor spec, or a new pod template. */
  rollout(modelName: string, version: string): void {
    const model = this.modelNamed(modelName);
    const kind = model.serving === 'kserve' ? ISVC : DEPLOYMENTS;
    const current = this.emulator.store.get(kind, model.namespace, model.name);
    const spec = current.spec as JsonObject;
    const next = model.serving === 'kserve' ? { ...spec, predictor: predictor(model, version) } : { ...spec, template: podTemplate(model, version) };
    this.emulator.store.update(kind, model.namespace, model.name, { ...current, spec: next });
  }

  /** The version serving a model now, read from the cluster (after any rollback mlwarden made). */
  servingVersion(modelName: string): string {
    const model = this.modelNamed(modelName);
    const object = this.emulator.store.get(model.serving === 'kserve' ? ISVC : DEPLOYMENTS, model.namespace, model.name);
    const spec = object.spec as { predictor?: { labels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> } } };
    const labels = model.serving === 'kserve' ? spec.predictor?.labels : spec.template?.metadata?.labels;
    return labels?.[VERSION_LABEL] ?? model.version;
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    for (const c of this.controllers) c.stop();
    await Promise.all([this.emulator.close(), this.kfp.close()]);
  }

  private modelNamed(name: string): ServedModel {
    const model = this.models.find((m) => m.name === name);
    if (!model) throw new Error(`no served model named ${name}`);
    return model;
  }
}
