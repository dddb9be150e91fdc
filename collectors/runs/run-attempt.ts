import type { RunState } from '../../src/domain/telemetry/index.js';
import type { RunBase } from './run-context.js';
import { pendingMs, stateTime, type RunRecord } from './run-record.js';

/** One attempt of a run as the mappers read it, before it becomes a row. */
export interface Attempt {
  state: RunState;
  reason: string;
  createdAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Second-precision timestamps from different writers can disagree by a tick; clamp to keep the order. */
export function toRow(base: RunBase, a: Attempt, attempt: number, now: number): RunRecord {
  const startedAt = a.startedAt !== null && a.createdAt !== null && a.startedAt < a.createdAt ? a.createdAt : a.startedAt;
  const finishedAt = a.finishedAt !== null && startedAt !== null && a.finishedAt < startedAt ? startedAt : a.finishedAt;
  const times = { created_at: a.createdAt, started_at: startedAt, finished_at: finishedAt };
  return { ...base, ...times, ts: stateTime(times, now), state: a.state, reason: a.reason, attempt, pending_ms: pendingMs(a.createdAt, startedAt) };
}
