import type { JsonObject } from './json.js';
import { metaOf } from './write-strategy.js';

/** Annotations that script a simulated workload's behaviour (read by the scheduler only). */
export const SIM_ANNOTATIONS = {
  runSeconds: 'sim.mlwarden.dev/run-seconds',
  failAttempts: 'sim.mlwarden.dev/fail-attempts',
  failReason: 'sim.mlwarden.dev/fail-reason',
  failAfterSeconds: 'sim.mlwarden.dev/fail-after-seconds',
  checkpointEverySeconds: 'sim.mlwarden.dev/checkpoint-every-seconds',
  checkpointSeconds: 'sim.mlwarden.dev/checkpoint-seconds',
} as const;

/** Annotations mlwarden and the scheduler exchange about checkpoints. */
export const CHECKPOINT_REQUESTED = 'mlwarden.dev/checkpoint-requested';
export const LAST_CHECKPOINT = 'mlwarden.dev/last-checkpoint';

export interface SimScript {
  /** Running time needed to finish; undefined runs forever. */
  runSeconds?: number;
  failAttempts: number;
  failReason: string;
  failAfterSeconds: number;
  checkpointEverySeconds?: number;
  checkpointSeconds: number;
}

export const annotationsOf = (object: JsonObject): Record<string, string> =>
  (metaOf(object).annotations as Record<string, string> | undefined) ?? {};

function numberAt(annotations: Record<string, string>, key: string): number | undefined {
  const value = annotations[key];
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function simScriptOf(object: JsonObject): SimScript {
  const annotations = annotationsOf(object);
  const script: SimScript = {
    failAttempts: numberAt(annotations, SIM_ANNOTATIONS.failAttempts) ?? 0,
    failReason: annotations[SIM_ANNOTATIONS.failReason] ?? 'OOMKilled',
    failAfterSeconds: numberAt(annotations, SIM_ANNOTATIONS.failAfterSeconds) ?? 1,
    checkpointSeconds: numberAt(annotations, SIM_ANNOTATIONS.checkpointSeconds) ?? 0,
  };
  const runSeconds = numberAt(annotations, SIM_ANNOTATIONS.runSeconds);
  if (runSeconds !== undefined) script.runSeconds = runSeconds;
  const every = numberAt(annotations, SIM_ANNOTATIONS.checkpointEverySeconds);
  if (every !== undefined && every > 0) script.checkpointEverySeconds = every;
  return script;
}
