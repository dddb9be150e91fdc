import { describe, expect, test } from 'vitest';
import { RunLedger } from '../../../collectors/runs/run-ledger.js';
import type { RunRecord } from '../../../collectors/runs/run-record.js';

const T = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

function row(runId: string, attempt: number, state: RunRecord['state'], finishedAt: number | null = null): RunRecord {
  return { ts: T, run_id: runId, parent_run_id: '', kind: 'training', pipeline: '', namespace: 'ml', model: '', version: '', state, reason: '', attempt, priority: 0, gpus: 0, created_at: T, started_at: null, finished_at: finishedAt, pending_ms: null, labels: {} };
}

const states = (rows: RunRecord[]) => rows.map((r) => `${r.run_id}#${r.attempt} ${r.state}`);

describe('RunLedger', () => {
  test('A row should be let through only when its attempt changes state', () => {
    const ledger = new RunLedger();
    expect(states(ledger.changes([row('a', 1, 'pending')], T))).toEqual(['a#1 pending']);
    expect(states(ledger.changes([row('a', 1, 'pending'), row('a', 1, 'pending')], T))).toEqual([]);
    expect(states(ledger.changes([row('a', 1, 'running'), row('a', 2, 'running')], T))).toEqual(['a#1 running', 'a#2 running']);
  });

  test('A finished attempt should be forgotten after the retention, and rows that finished before it never let through', () => {
    const ledger = new RunLedger({ retainFinishedMs: HOUR });
    ledger.changes([row('a', 1, 'succeeded', T)], T);
    expect(ledger.size).toBe(1);
    ledger.changes([row('b', 1, 'running')], T + 2 * HOUR);
    expect(ledger.size).toBe(1);
    expect(ledger.changes([row('a', 1, 'succeeded', T)], T + 2 * HOUR)).toEqual([]);
  });

  test('Beyond maxEntries the oldest finished attempts should go first, running ones stay', () => {
    const ledger = new RunLedger({ maxEntries: 2 });
    ledger.changes([row('old', 1, 'failed', T - 2000), row('newer', 1, 'failed', T - 1000), row('live', 1, 'running')], T);
    expect(ledger.size).toBe(2);
    expect(ledger.changes([row('live', 1, 'running'), row('newer', 1, 'failed', T - 1000)], T)).toEqual([]);
    expect(states(ledger.changes([row('old', 1, 'failed', T - 2000)], T))).toEqual(['old#1 failed']);
  });
});
