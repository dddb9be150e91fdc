/**
 * What the analysis loop and the collectors tell the policy engine. Times are ms since the epoch
 * (UTC); durations the signal reports as of its own observation are seconds, as collectors give them.
 */

/** A drift episode just opened on a model (see drift/episodes.ts). */
export interface DriftEpisodeSignal {
  kind: 'drift_episode';
  model: string;
  /** Model version serving when the drift was seen, when known. */
  version?: string;
  episodeStart: number;
  openedAt: number;
  /** Share of the model's features drifting (drift/drift-share.ts). */
  driftShare: number;
  peakPsi: number;
  features: string[];
}

/** The latest rollout of the model behind an SLO. */
export interface RolloutInfo {
  version: string;
  previousVersion?: string;
  rolledOutAt: number;
  /** A KServe canary still in progress (canaryTrafficPercent set): rolling back is sending it no traffic. */
  canary?: boolean;
  /** Set when this rollout was itself an mlwarden rollback (its action id): never roll back a rollback. */
  byAction?: string;
}

/** An SLO alert firing for a served model. */
export interface SloAlertSignal {
  kind: 'slo_alert';
  slo: string;
  severity: 'page' | 'ticket';
  firingSince: number;
  /** 'ok' when the SLI had enough events; anything else is no evidence of failure and never acts. */
  data: 'ok' | 'insufficient' | 'no-data';
  model: string;
  /** The serving object (InferenceService or Deployment). */
  serving: { namespace: string; name: string };
  /** null when no rollout is known. */
  rollout: RolloutInfo | null;
}

/** Kueue owns admission and preemption of jobs carrying this label; mlwarden never touches them. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** The Kubernetes kinds of GPU training workload mlwarden can suspend and resume. */
export type WorkloadKind = 'Job' | 'PyTorchJob' | 'TFJob';

/** A job on GPUs as the collectors report it. */
export interface GpuJob {
  /** Default 'Job' (batch/v1). */
  kind?: WorkloadKind;
  namespace: string;
  name: string;
  priority: number;
  gpus: number;
  /** Mean GPU utilisation 0..1 over the recent window; undefined when no telemetry (never counts as idle). */
  gpuUtilization?: number;
  /** Seconds since the job last reported a checkpoint; undefined when it never reports one. */
  secondsSinceCheckpoint?: number;
  runtimeSeconds: number;
  /** Carries the `kueue.x-k8s.io/queue-name` label: Kueue owns its admission; mlwarden never touches it. */
  kueueManaged: boolean;
}

/** A job pending on GPUs. */
export interface PendingJob {
  /** Default 'Job' (batch/v1). */
  kind?: WorkloadKind;
  namespace: string;
  name: string;
  priority: number;
  gpus: number;
  pendingSince: number;
  /** Queued through Kueue: Kueue admits (and preempts for) it, so mlwarden does not. */
  kueueManaged?: boolean;
}

/** GPU contention: a job pending while others run. */
export interface GpuContentionSignal {
  kind: 'gpu_contention';
  pending: PendingJob;
  running: GpuJob[];
  /** Jobs mlwarden suspended and has not resumed yet (they count in their namespace's blast radius). */
  suspended: Array<{ namespace: string; name: string }>;
  freeGpus: number;
}

/** A running job whose utilisation has been below `utilization` since `idleSince`. */
export interface GpuIdleSignal {
  kind: 'gpu_idle';
  job: GpuJob;
  idleSince: number;
  /** Running and suspended job counts in the job's namespace (for the blast radius). */
  namespaceJobs: number;
  namespaceSuspended: number;
}

export type Signal = DriftEpisodeSignal | SloAlertSignal | GpuContentionSignal | GpuIdleSignal;

export const jobKey = (job: { namespace: string; name: string }): string => `job/${job.namespace}/${job.name}`;
