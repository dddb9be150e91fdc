import type { WatchedResource } from './resumable-watch.js';

/** What a watched collection holds: workloads that become runs, or pods that explain them. */
export type SourceRole = 'job' | 'training' | 'workflow' | 'pod';

export interface RunSource {
  role: SourceRole;
  apiVersion: string;
  kind: string;
  plural: string;
  labelSelector?: string;
}

/**
 * Everything the run collector watches. Job pods are selected by `batch.kubernetes.io/job-name`
 * (set since Kubernetes 1.27; older clusters only set `job-name`), training-operator pods by
 * `training.kubeflow.org/job-name`.
 */
export const RUN_SOURCES: readonly RunSource[] = [
  { role: 'job', apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs' },
  { role: 'pod', apiVersion: 'v1', kind: 'Pod', plural: 'pods', labelSelector: 'batch.kubernetes.io/job-name' },
  { role: 'training', apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', plural: 'pytorchjobs' },
  { role: 'training', apiVersion: 'kubeflow.org/v1', kind: 'TFJob', plural: 'tfjobs' },
  { role: 'pod', apiVersion: 'v1', kind: 'Pod', plural: 'pods', labelSelector: 'training.kubeflow.org/job-name' },
  { role: 'workflow', apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', plural: 'workflows' },
];

export function watchedResource(source: RunSource, namespace: string | undefined): WatchedResource {
  const root = source.apiVersion.includes('/') ? `/apis/${source.apiVersion}` : `/api/${source.apiVersion}`;
  const path = namespace === undefined ? `${root}/${source.plural}` : `${root}/namespaces/${namespace}/${source.plural}`;
  const resource: WatchedResource = { apiVersion: source.apiVersion, kind: source.kind, path };
  if (namespace !== undefined) resource.namespace = namespace;
  if (source.labelSelector !== undefined) resource.labelSelector = source.labelSelector;
  return resource;
}
