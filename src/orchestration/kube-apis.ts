import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** The typed Kubernetes APIs the orchestration layer uses (and the Helm chart's RBAC grants). */
export interface KubeApis {
  core: CoreV1Api;
  batch: BatchV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
}

export function kubeApis(kubeConfig: KubeConfig): KubeApis {
  return {
    core: kubeConfig.makeApiClient(CoreV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

/** Request options for patches: client-node sends JSON patch unless told otherwise. */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
