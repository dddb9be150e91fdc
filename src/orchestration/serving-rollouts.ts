/**
 * Which version a serving object rolled out last, and when: the RolloutInfo a rollback policy
 * needs. Deployments keep their history in ReplicaSets (`deployment.kubernetes.io/revision`).
 * KServe keeps only the previous revision's name, so mlwarden records each predictor spec it sees
 * rolled out on the InferenceService itself (PREDICTOR_HISTORY_ANNOTATION) — the spec a rollback
 * returns to, and the time the version appeared.
 */
import type { RolloutInfo } from '../domain/policy/index.js';
import { PREDICTOR_HISTORY_ANNOTATION, ROLLED_BACK_BY_ANNOTATION, VERSION_LABEL } from './action-markers.js';
import { DEPLOYMENTS, INFERENCESERVICES, REPLICASETS, type KubeObject, type KubeObjects } from './kube-objects.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const HISTORY_LIMIT = 5;

/** What a rollback did. */
export interface RollbackResult {
  object: KubeObject;
  detail: string;
  /** False when an earlier attempt of the same action had already done it. */
  changed: boolean;
}

/** A predictor revision as mlwarden saw it. */
export interface PredictorRevision {
  revision: string;
  version: string;
  /** The predictor spec without canaryTrafficPercent. */
  spec: Record<string, unknown>;
  seenAt: number;
}

interface RolledBackBy {
  action: string;
  version: string;
  at: number;
}

const timeOf = (value: unknown): number | undefined => {
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
};

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export const rolledBackBy = (object: KubeObject): RolledBackBy | undefined => parseJson<RolledBackBy>(object.metadata.annotations?.[ROLLED_BACK_BY_ANNOTATION]);

/** The model version a pod template serves: its version label, else the first container's image tag. */
export function templateVersion(template: Record<string, unknown> | undefined): string {
  const meta = (template?.metadata ?? {}) as { labels?: Record<string, string> };
  const label = meta.labels?.[VERSION_LABEL];
  if (label) return label;
  const image = ((template?.spec as { containers?: Array<{ image?: string }> } | undefined)?.containers?.[0]?.image) ?? '';
  const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
  return tag || image || 'unknown';
}

export const revisionOf = (rs: KubeObject): number => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);

/** The Deployment's ReplicaSets, newest revision first. */
export async function ownedReplicaSets(objects: KubeObjects, deployment: KubeObject): Promise<KubeObject[]> {
  const all = await objects.list(REPLICASETS, deployment.metadata.namespace ?? 'default');
  return all.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid && o.controller === true)).sort((a, b) => revisionOf(b) - revisionOf(a));
}

function byActionOf(object: KubeObject, version: string): Pick<RolloutInfo, 'byAction'> & { at?: number } {
  const mark = rolledBackBy(object);
  return mark !== undefined && mark.version === version ? { byAction: mark.action, at: mark.at } : {};
}

export async function deploymentRollout(objects: KubeObjects, namespace: string, name: string): Promise<RolloutInfo | null> {
  const deployment = await objects.get(DEPLOYMENTS, namespace, name);
  if (deployment === undefined) return null;
  const [current, previous] = await ownedReplicaSets(objects, deployment);
  if (current === undefined) return null;
  const version = templateVersion(current.spec?.template as Record<string, unknown>);
  const { at, ...byAction } = byActionOf(deployment, version);
  const rolledOutAt = at ?? timeOf(current.metadata.creationTimestamp);
  if (rolledOutAt === undefined) return null;
  return { version, rolledOutAt, ...(previous ? { previousVersion: templateVersion(previous.spec?.template as Record<string, unknown>) } : {}), ...byAction };
}

export function predictorHistory(isvc: KubeObject): PredictorRevision[] {
  return parseJson<PredictorRevision[]>(isvc.metadata.annotations?.[PREDICTOR_HISTORY_ANNOTATION]) ?? [];
}

function predictorSpec(isvc: KubeObject): Record<string, unknown> {
  const { canaryTrafficPercent: _canary, ...spec } = (isvc.spec?.predictor ?? {}) as Record<string, unknown>;
  return spec;
}

export function predictorVersion(spec: Record<string, unknown>, revision: string): string {
  const label = (spec.labels as Record<string, string> | undefined)?.[VERSION_LABEL];
  const uri = (spec.model as { storageUri?: string } | undefined)?.storageUri;
  return label ?? uri ?? revision;
}

interface PredictorStatus {
  latestCreatedRevision?: string;
  latestRolledoutRevision?: string;
}

const predictorStatus = (isvc: KubeObject): PredictorStatus => ((isvc.status?.components as { predictor?: PredictorStatus } | undefined)?.predictor ?? {});

/** A canary in progress: a newer revision than the rolled-out one, taking part of the traffic. */
export function canaryInProgress(isvc: KubeObject): boolean {
  const percent = (isvc.spec?.predictor as { canaryTrafficPercent?: number } | undefined)?.canaryTrafficPercent;
  const status = predictorStatus(isvc);
  return typeof percent === 'number' && percent > 0 && percent < 100 && status.latestCreatedRevision !== undefined && status.latestCreatedRevision !== status.latestRolledoutRevision;
}

/**
 * Records the InferenceService's newest predictor revision in its history annotation when it is
 * not there yet (a merge patch with the read resourceVersion; 409s re-read). Returns the history.
 */
export async function observePredictor(objects: KubeObjects, namespace: string, name: string, now: number): Promise<{ isvc: KubeObject; history: PredictorRevision[] } | undefined> {
  let history: PredictorRevision[] = [];
  const isvc = await objects.update(INFERENCESERVICES, namespace, name, (current) => {
    history = predictorHistory(current);
    const revision = predictorStatus(current).latestCreatedRevision;
    if (revision === undefined || history.at(-1)?.revision === revision) return undefined;
    const spec = predictorSpec(current);
    const first = history.length === 0;
    const seenAt = first ? (timeOf(current.metadata.creationTimestamp) ?? now) : now;
    history = [...history, { revision, version: predictorVersion(spec, revision), spec, seenAt }].slice(-HISTORY_LIMIT);
    return { metadata: { annotations: { [PREDICTOR_HISTORY_ANNOTATION]: JSON.stringify(history) } } };
  });
  return isvc === undefined ? undefined : { isvc, history };
}

export async function inferenceServiceRollout(objects: KubeObjects, namespace: string, name: string, now: number): Promise<RolloutInfo | null> {
  const observed = await observePredictor(objects, namespace, name, now);
  if (observed === undefined) return null;
  const { isvc, history } = observed;
  const latest = history.at(-1);
  if (latest === undefined) return null;
  const previous = history.at(-2);
  const { at, ...byAction } = byActionOf(isvc, latest.version);
  return {
    version: latest.version, rolledOutAt: at ?? latest.seenAt,
    ...(previous ? { previousVersion: previous.version } : {}),
    ...(canaryInProgress(isvc) ? { canary: true } : {}),
    ...byAction,
  };
}
