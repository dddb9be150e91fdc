import type { RunState } from '../../src/domain/telemetry/index.js';

export type RunKind = 'pipeline' | 'training' | 'evaluation' | 'step';

/** One run row in the ingest API's `runs` shape (times in epoch ms). */
export type RunRecord = {
  ts: number;
  run_id: string;
  parent_run_id: string;
  kind: RunKind;
  pipeline: string;
  namespace: string;
  model: string;
  version: string;
  state: RunState;
  reason: string;
  attempt: number;
  priority: number;
  gpus: number;
  created_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  pending_ms: number | null;
  labels: Record<string, string>;
};

const TERMINAL: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'canceled', 'skipped']);

export const isTerminal = (state: RunState): boolean => TERMINAL.has(state);

/** Time waited before starting; null until started (or when the clocks disagree). */
export function pendingMs(createdAt: number | null, startedAt: number | null): number | null {
  if (createdAt === null || startedAt === null || startedAt < createdAt) return null;
  return startedAt - createdAt;
}

/** When the row's state began: its end, its start or its creation, whichever it has reached. */
export const stateTime = (row: Pick<RunRecord, 'created_at' | 'started_at' | 'finished_at'>, fallback: number): number =>
  row.finished_at ?? row.started_at ?? row.created_at ?? fallback;
