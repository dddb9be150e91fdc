import type { RunKind } from './run-record.js';

/**
 * Where a run's model, version, pipeline and kind come from: the first label present wins.
 * mlwarden's own labels come first so a team can always override what a tool sets.
 */
export const RUN_LABELS = {
  kind: ['mlwarden.dev/run-kind'],
  model: ['mlwarden.dev/model', 'app.kubernetes.io/name', 'model'],
  version: ['mlwarden.dev/model-version', 'app.kubernetes.io/version', 'version'],
  pipeline: ['mlwarden.dev/pipeline', 'pipelines.kubeflow.org/pipeline', 'workflows.argoproj.io/workflow-template', 'app.kubernetes.io/part-of'],
} as const;

const KINDS: ReadonlySet<string> = new Set(['pipeline', 'training', 'evaluation', 'step']);

const firstOf = (labels: Record<string, string>, keys: readonly string[]): string => {
  for (const key of keys) if (labels[key] !== undefined && labels[key] !== '') return labels[key];
  return '';
};

export interface RunIdentity {
  kind: RunKind;
  model: string;
  version: string;
  pipeline: string;
}

export function identityFrom(labels: Record<string, string>, defaultKind: RunKind): RunIdentity {
  const kind = firstOf(labels, RUN_LABELS.kind);
  return {
    kind: KINDS.has(kind) ? (kind as RunKind) : defaultKind,
    model: firstOf(labels, RUN_LABELS.model),
    version: firstOf(labels, RUN_LABELS.version),
    pipeline: firstOf(labels, RUN_LABELS.pipeline),
  };
}
