import { describe, expect, test } from 'vitest';
import {
  alertSource, compareWithActions, driftSource, firingIntervals, formatBacktest, replayPolicies, wouldAct,
  type AlertChange, type BacktestInput, type FeatureWindow, type Policy,
} from '../../../src/domain/policy/index.js';
import { DEFAULT_EPISODE_OPTIONS } from '../../../src/domain/drift/index.js';
import { HOUR, MIN, makeRecord, policy, RETRAIN, ROLLBACK } from './fixtures.js';

const T = Date.UTC(2026, 10, 16, 0);
const DRIFT = { windowMs: HOUR, lookbackWindows: 24, episodes: DEFAULT_EPISODE_OPTIONS };

/** Hourly windows from T, one per letter: D drifting (PSI 0.4), o ok, _ insufficient. */
function windows(pattern: string, features = ['amount', 'merchant'], model = 'fraud'): FeatureWindow[] {
  return features.flatMap((feature) => [...pattern].map((c, i) => ({
    model, feature, start: T + i * HOUR, end: T + (i + 1) * HOUR,
    status: c === 'D' ? ('drifting' as const) : c === 'o' ? ('ok' as const) : ('insufficient' as const), psi: c === 'D' ? 0.4 : c === 'o' ? 0.02 : null,
  })));
}

function replay(policies: Policy[], ws: FeatureWindow[], over: Partial<BacktestInput> = {}) {
  return replayPolicies({
    policies, from: T, to: T + 24 * HOUR, stepMs: 10 * MIN,
    sources: [driftSource(ws, DRIFT)], changes: ws.map((w) => w.end), ...over,
  });
}

const retrain = (guardrails = '') => policy(`${RETRAIN}${guardrails}`, 'retrain-fraud');
const rows = (r: ReturnType<typeof replay>) => r.rows.filter((x) => x.outcome !== 'skipped').map((x) => ({ at: x.at, id: x.id, outcome: x.outcome, deniedBy: x.deniedBy }));

describe('replaying drift episodes', () => {
  test('each drift episode retrains once, at the instant it opened, however many steps it stays open', () => {
    const report = replay([retrain()], windows('ooDDDDDDooo' + 'ooo' + 'DDDDDD'));
    expect(report.instants).toBeGreaterThan(100);
    expect(rows(report)).toEqual([
      { at: T + 5 * HOUR, id: `retrain:fraud:${T + 2 * HOUR}`, outcome: 'would-act', deniedBy: undefined },
      { at: T + 17 * HOUR, id: `retrain:fraud:${T + 14 * HOUR}`, outcome: 'would-act', deniedBy: undefined },
    ]);
    expect(wouldAct(report)[0]).toMatchObject({ kind: 'retrain', target: 'model/fraud', status: 'proposed', cause: { features: 'amount,merchant', peak_psi: 0.4, drift_share: 1 } });
  });

  test('a second episode inside the cooldown is denied by the cooldown once, then acts when the cooldown ends', () => {
    const report = replay([retrain('guardrails: { cooldown: 12h }\n')], windows('ooDDDooooo' + 'D'.repeat(10)));
    expect(rows(report)).toEqual([
      { at: T + 5 * HOUR, id: `retrain:fraud:${T + 2 * HOUR}`, outcome: 'would-act', deniedBy: undefined },
      { at: T + 13 * HOUR, id: `retrain:fraud:${T + 10 * HOUR}`, outcome: 'denied', deniedBy: 'cooldown' },
      { at: T + 17 * HOUR, id: `retrain:fraud:${T + 10 * HOUR}`, outcome: 'would-act', deniedBy: undefined },
    ]);
    expect(report.rows[1]?.reason).toContain('model/fraud was acted on less than 720m ago');
  });

  test('failures in the real history before the replay keep the circuit breaker open until it resets', () => {
    const failed = [1, 2, 3].map((i) => makeRecord(`retrain:fraud:old-${i}`, 'retrain-fraud').failed().at(T - 10 * MIN).obj());
    const report = replay([retrain('guardrails: { circuit_breaker: { failures: 3, reset_after: 12h } }\n')], windows('ooDDDDDDDDDDDDDD'), { history: failed });
    expect(rows(report)).toEqual([
      { at: T + 5 * HOUR, id: `retrain:fraud:${T + 2 * HOUR}`, outcome: 'denied', deniedBy: 'circuit-breaker' },
      { at: T + 11 * HOUR + 50 * MIN, id: `retrain:fraud:${T + 2 * HOUR}`, outcome: 'would-act', deniedBy: undefined },
    ]);
  });

  test('a policy in dry run is reported as acting in dry run, and its previews pace it like the live engine', () => {
    const report = replay([retrain('guardrails: { dry_run: true, cooldown: 12h }\n')], windows('ooDDDooooo' + 'D'.repeat(6)));
    expect(rows(report).map((r) => [r.at, r.outcome])).toEqual([[T + 5 * HOUR, 'would-act'], [T + 13 * HOUR, 'denied'], [T + 17 * HOUR, 'would-act']]);
    expect(wouldAct(report).map((r) => r.status)).toEqual(['dry-run', 'dry-run']);
  });

  test('an episode longer than the drift lookback slides: its start (and key) moves each window, as the live drift loop sees it', () => {
    const report = replay([retrain()], windows('D'.repeat(36)), { to: T + 36 * HOUR });
    const ids = wouldAct(report).map((r) => r.id);
    expect(ids).toHaveLength(13);
    expect(ids.slice(0, 3)).toEqual([`retrain:fraud:${T}`, `retrain:fraud:${T + HOUR}`, `retrain:fraud:${T + 2 * HOUR}`]);
  });

  test.each([
    { name: 'a zero step is refused with the value named', over: { stepMs: 0 }, message: /step must be a positive number of milliseconds, got 0/ },
    { name: 'a range ending before it starts is refused', over: { to: T - HOUR }, message: /backtest range is empty/ },
  ])('$name', ({ over, message }) => {
    expect(() => replay([retrain()], windows('ooDDD'), over)).toThrow(message);
  });

  test('the replay leaves its inputs as they were (it writes nothing, not even the history it was given)', () => {
    const history = Object.freeze([Object.freeze(makeRecord('retrain:fraud:old', 'retrain-fraud').at(T - 2 * HOUR).obj())]);
    const ws = windows('ooDDDDDD');
    const before = JSON.stringify(ws);
    expect(() => replay([retrain()], Object.freeze(ws) as FeatureWindow[], { history })).not.toThrow();
    expect(JSON.stringify(ws)).toBe(before);
    expect(history).toHaveLength(1);
  });
});

const change = (over: Partial<AlertChange>): AlertChange => ({ ts: T + HOUR, slo: 'fraud-latency', severity: 'page', dedupeKey: 'k1', groupLabels: {}, state: 'firing', since: T + HOUR, firingSince: T + HOUR, ...over });

describe('replaying SLO alerts', () => {
  const changes = [change({}), change({ ts: T + 3 * HOUR, state: 'resolved', since: T + 3 * HOUR, firingSince: null }), change({ ts: T + 5 * HOUR, dedupeKey: 'k2', severity: 'ticket' })];
  const intervals = firingIntervals(changes);
  const run = (policies: Policy[]) => replayPolicies({ policies, from: T, to: T + 6 * HOUR, stepMs: 10 * MIN, sources: [alertSource(intervals, () => 'fraud')], changes: changes.map((c) => c.ts) });

  test('firing intervals run from the change that fired to the next change of the same alert', () => {
    expect(intervals.map((i) => [i.severity, i.from, i.until])).toEqual([['page', T + HOUR, T + 3 * HOUR], ['ticket', T + 5 * HOUR, null]]);
  });

  test('a rollback policy without rollout info says it would roll back if a rollout explained it, else escalate', () => {
    const report = run([policy(ROLLBACK, 'rollback-fraud')]);
    const [row] = wouldAct(report);
    expect(row).toMatchObject({ id: `rollback:fraud-latency:fraud:${T + HOUR}`, kind: 'escalate', rolloutUnknown: true, at: T + HOUR });
    expect(wouldAct(report)).toHaveLength(1);
    expect(report.rows.find((r) => r.outcome === 'skipped')?.reason).toBe('a ticket alert; the policy acts on pages only');
    expect(formatBacktest(report)).toContain('would roll back if a rollout explained it / would escalate');
  });
});

describe('comparing a backtest with the live action log', () => {
  const report = replay([retrain('guardrails: { cooldown: 12h }\n')], windows('ooDDDooooo' + 'D'.repeat(10)));
  const first = `retrain:fraud:${T + 2 * HOUR}`;
  const second = `retrain:fraud:${T + 10 * HOUR}`;

  test.each([
    { name: 'the same actions agree (a live denial of an action later taken does not count)', live: [{ id: first, status: 'done' }, { id: second, status: 'done' }, { id: 'x', status: 'denied' }], want: { matched: [first, second], liveOnly: [], replayOnly: [], agree: true } },
    { name: 'an action only the live run took is reported live-only', live: [{ id: first, status: 'done' }, { id: second, status: 'failed' }, { id: 'extra', status: 'running' }], want: { matched: [first, second], liveOnly: ['extra'], replayOnly: [], agree: false } },
    { name: 'an action the live run did not take is reported replay-only', live: [{ id: first, status: 'dry-run' }], want: { matched: [first], liveOnly: [], replayOnly: [second], agree: false } },
  ])('$name', ({ live, want }) => {
    expect(compareWithActions(report, live)).toEqual(want);
  });

  test('the text table names the guardrail that would have stopped an action', () => {
    const text = formatBacktest(report);
    expect(text).toMatch(/^Backtest 2026-11-16T00:00:00Z .. 2026-11-17T00:00:00Z \(dry run; 145 instants, step 600s\): 2 would act, 1 denied/);
    expect(text).toContain('2026-11-16T13:00:00Z  retrain-fraud  retrain  model/fraud  denied by cooldown');
    expect(text).toContain('treated as done and succeeded');
  });
});
