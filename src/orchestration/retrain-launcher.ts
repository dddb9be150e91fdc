/** Starts the retraining pipeline of a retrain action: a KFP run, an Argo Workflow or a Job from a CronJob's template. */
import type { ActionPlan } from '../domain/policy/index.js';
import { ACTION_ID_ANNOTATION, createdBy } from './action-markers.js';
import type { KfpClient } from './kfp-client.js';
import { apiVersion, CRONJOBS, JOBS, WORKFLOWS, type KubeObject, type KubeObjects } from './kube-objects.js';

type RetrainPlan = Extract<ActionPlan, { kind: 'retrain' }>;

export interface RetrainLaunch {
  /** What was started, for the audit: "kfp run <id>", "workflow ns/name", "job ns/name". */
  ref: string;
  /** False when an earlier attempt had already started it (found, not repeated). */
  created: boolean;
  /** The Kubernetes object started, for its Event (none for KFP runs). */
  object?: KubeObject;
}

export interface RetrainDeps {
  objects: KubeObjects;
  kfp?: KfpClient | undefined;
}

/** PARAM_<NAME> environment variables carry the cause into a Job's containers. */
export const paramEnvName = (key: string): string => `PARAM_${key.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;

function ownedBy(object: KubeObject, actionId: string): KubeObject {
  const owner = object.metadata.annotations?.[ACTION_ID_ANNOTATION];
  if (owner !== actionId) throw new Error(`${object.kind ?? 'object'} ${object.metadata.namespace}/${object.metadata.name} exists but was not created by action ${actionId} (it carries ${owner ?? 'no action id'})`);
  return object;
}

async function startKfpRun(plan: RetrainPlan, actionId: string, kfp: KfpClient | undefined): Promise<RetrainLaunch> {
  if (plan.target.kind !== 'kfp') throw new Error('not a KFP target');
  if (kfp === undefined) throw new Error('the policy retrains through Kubeflow Pipelines but no KFP API is configured (orchestration.kfp.url)');
  const { run, created } = await kfp.startRunOnce({
    display_name: plan.runName,
    description: `Started by mlwarden action ${actionId}`,
    experiment_id: plan.target.experimentId,
    pipeline_version_reference: { pipeline_id: plan.target.pipelineId, pipeline_version_id: plan.target.pipelineVersionId },
    runtime_config: { parameters: plan.parameters },
  });
  return { ref: `kfp run ${run.run_id}`, created };
}

async function startWorkflow(plan: RetrainPlan, actionId: string, objects: KubeObjects): Promise<RetrainLaunch> {
  if (plan.target.kind !== 'argo') throw new Error('not an Argo target');
  const { namespace, workflowTemplate } = plan.target;
  const body: KubeObject = {
    apiVersion: apiVersion(WORKFLOWS), kind: WORKFLOWS.kind,
    metadata: { name: plan.runName, namespace, ...createdBy(actionId) },
    spec: { workflowTemplateRef: { name: workflowTemplate }, arguments: { parameters: Object.entries(plan.parameters).map(([name, value]) => ({ name, value })) } },
  };
  const { object, created } = await objects.createOrGet(WORKFLOWS, namespace, body);
  return { ref: `workflow ${namespace}/${plan.runName}`, created, object: ownedBy(object, actionId) };
}

function withParameters(podSpec: Record<string, unknown>, parameters: Record<string, string>): Record<string, unknown> {
  const env = Object.entries(parameters).map(([k, value]) => ({ name: paramEnvName(k), value }));
  const containers = (podSpec.containers as Array<Record<string, unknown>> | undefined) ?? [];
  return { ...podSpec, containers: containers.map((c) => ({ ...c, env: [...((c.env as unknown[] | undefined) ?? []), ...env] })) };
}

/** Like `kubectl create job --from=cronjob/<template>`, with the cause as PARAM_* env vars. */
async function startJob(plan: RetrainPlan, actionId: string, objects: KubeObjects): Promise<RetrainLaunch> {
  if (plan.target.kind !== 'job') throw new Error('not a Job target');
  const { namespace, template } = plan.target;
  const cronJob = await objects.get(CRONJOBS, namespace, template);
  if (cronJob === undefined) throw new Error(`the retraining template CronJob ${namespace}/${template} does not exist`);
  const jobTemplate = (cronJob.spec?.jobTemplate ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  const spec = jobTemplate.spec ?? {};
  const podTemplate = (spec.template ?? {}) as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
  const marks = createdBy(actionId);
  const body: KubeObject = {
    apiVersion: apiVersion(JOBS), kind: JOBS.kind,
    metadata: {
      name: plan.runName, namespace,
      labels: { ...jobTemplate.metadata?.labels, ...marks.labels },
      annotations: { ...jobTemplate.metadata?.annotations, ...marks.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
    },
    spec: { ...spec, template: { ...podTemplate, spec: withParameters(podTemplate.spec ?? {}, plan.parameters) } },
  };
  const { object, created } = await objects.createOrGet(JOBS, namespace, body);
  return { ref: `job ${namespace}/${plan.runName}`, created, object: ownedBy(object, actionId) };
}

export function launchRetrain(plan: RetrainPlan, actionId: string, deps: RetrainDeps): Promise<RetrainLaunch> {
  switch (plan.target.kind) {
    case 'kfp':
      return startKfpRun(plan, actionId, deps.kfp);
    case 'argo':
      return startWorkflow(plan, actionId, deps.objects);
    case 'job':
      return startJob(plan, actionId, deps.objects);
  }
}
