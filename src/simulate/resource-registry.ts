/** One served resource: where it lives in the REST tree and how the server treats it. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Has a `/status` subresource: main-resource writes keep the stored status. */
  hasStatus: boolean;
  /** Built into Kubernetes (strategic merge patch allowed); false for custom resources. */
  builtIn: boolean;
  /** Objects of every served version share one storage (e.g. Kueue v1beta1 and v1beta2). */
  storageKey: string;
}

type Entry = [group: string, versions: string[], plural: string, kind: string, namespaced: boolean, hasStatus: boolean, builtIn: boolean];

const ENTRIES: Entry[] = [
  ['', ['v1'], 'pods', 'Pod', true, true, true],
  ['', ['v1'], 'events', 'Event', true, false, true],
  ['', ['v1'], 'namespaces', 'Namespace', false, true, true],
  ['', ['v1'], 'configmaps', 'ConfigMap', true, false, true],
  // Stored apart from core/v1 events here (the real server converts between the two).
  ['events.k8s.io', ['v1'], 'events', 'Event', true, false, true],
  ['batch', ['v1'], 'jobs', 'Job', true, true, true],
  ['batch', ['v1'], 'cronjobs', 'CronJob', true, true, true],
  ['', ['v1'], 'nodes', 'Node', false, true, true],
  ['scheduling.k8s.io', ['v1'], 'priorityclasses', 'PriorityClass', false, false, true],
  ['apps', ['v1'], 'deployments', 'Deployment', true, true, true],
  ['apps', ['v1'], 'replicasets', 'ReplicaSet', true, true, true],
  ['coordination.k8s.io', ['v1'], 'leases', 'Lease', true, false, true],
  ['serving.kserve.io', ['v1beta1'], 'inferenceservices', 'InferenceService', true, true, false],
  ['kubeflow.org', ['v1'], 'pytorchjobs', 'PyTorchJob', true, true, false],
  ['kubeflow.org', ['v1'], 'tfjobs', 'TFJob', true, true, false],
  ['argoproj.io', ['v1alpha1'], 'workflows', 'Workflow', true, false, false],
  ['argoproj.io', ['v1alpha1'], 'workflowtemplates', 'WorkflowTemplate', true, false, false],
  ['argoproj.io', ['v1alpha1'], 'rollouts', 'Rollout', true, true, false],
  ['kueue.x-k8s.io', ['v1beta1', 'v1beta2'], 'workloads', 'Workload', true, true, false],
];

export const RESOURCE_TYPES: readonly ResourceType[] = ENTRIES.flatMap(([group, versions, plural, kind, namespaced, hasStatus, builtIn]) =>
  versions.map((version) => ({ group, version, plural, kind, namespaced, hasStatus, builtIn, storageKey: `${plural}.${group}` })),
);

export function apiVersionOf(resource: ResourceType): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** `[group, version]` pairs served, in registry order, for discovery. */
export function servedGroupVersions(): Array<[string, string]> {
  const seen = new Map<string, [string, string]>();
  for (const r of RESOURCE_TYPES) seen.set(`${r.group}/${r.version}`, [r.group, r.version]);
  return [...seen.values()];
}
