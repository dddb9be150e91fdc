import { describe, expect, test } from 'vitest';
import { breakerOpen, decideApproved, evaluatePolicy, guardrailState, recordOf, type ActionRecord, type DecisionContext, type DriftEpisodeSignal } from '../../../src/domain/policy/index.js';
import { HOUR, MIN, NOW, RETRAIN, context, makeRecord, policy } from './fixtures.js';

const episode = (model = 'fraud'): DriftEpisodeSignal => ({ kind: 'drift_episode', model, episodeStart: NOW - HOUR, openedAt: NOW, driftShare: 0.6, peakPsi: 0.5, features: ['f'] });
const retrain = (guardrails = '', name = 'p') => policy(`${RETRAIN}guardrails:\n${guardrails.replace(/^/gm, '  ')}`, name);
const decide = (guardrails: string, ctx: Partial<DecisionContext> = {}) => {
  const outcome = evaluatePolicy(retrain(guardrails), episode(), context(ctx));
  if (!('decision' in outcome)) throw new Error(`expected a decision, got: ${outcome.skipped.reason}`);
  return outcome.decision;
};
const acted = (k: number, at: number, target = `model/m${k}`): ActionRecord => makeRecord(`a${k}`).target(target).at(at).obj();

describe('guardrails', () => {
  test.each<[string, string, Partial<DecisionContext>, { status: string; deniedBy?: string }]>([
    ['with no guardrail in the way the action is proposed', '{}', {}, { status: 'proposed' }],
    ['dry-run decides the same action but marks it dry-run (nothing acts on it)', 'dry_run: true', {}, { status: 'dry-run' }],
    ['approval holds the action until an admin approves', 'require_approval: true', {}, { status: 'awaiting-approval' }],
    ['dry-run wins over approval: there is nothing to approve', 'dry_run: true\nrequire_approval: true', {}, { status: 'dry-run' }],
    ['a target acted on within the cooldown is denied by the cooldown', 'cooldown: 2h', { history: [acted(1, NOW - HOUR, 'model/fraud')] }, { status: 'denied', deniedBy: 'cooldown' }],
    ['after the cooldown the same target may be acted on again', 'cooldown: 2h', { history: [acted(1, NOW - 3 * HOUR, 'model/fraud')] }, { status: 'proposed' }],
    ['the cooldown is per target: another model does not block this one', 'cooldown: 2h', { history: [acted(1, NOW - MIN, 'model/churn')] }, { status: 'proposed' }],
    ['the hourly rate limit denies the next action', 'max_per_hour: 2\nmax_concurrent: 9', { history: [acted(1, NOW - 50 * MIN), acted(2, NOW - 10 * MIN)] }, { status: 'denied', deniedBy: 'rate-limit' }],
    ['actions older than an hour do not count against the rate', 'max_per_hour: 2', { history: [acted(1, NOW - 2 * HOUR), acted(2, NOW - 61 * MIN)] }, { status: 'proposed' }],
    ['denied and dry-run records of a live policy do not count against the rate', 'max_per_hour: 1', { history: [makeRecord('x').status('denied').at(NOW - MIN).obj(), makeRecord('y').status('dry-run').target('model/y').at(NOW - MIN).obj()] }, { status: 'proposed' }],
    ['in a dry-run policy, earlier dry runs count: the preview keeps the real cadence', 'dry_run: true\nmax_per_hour: 1', { history: [makeRecord('y').status('dry-run').target('model/y').at(NOW - MIN).obj()] }, { status: 'denied', deniedBy: 'rate-limit' }],
    ['actions in flight up to max_concurrent deny the next', 'max_concurrent: 1', { history: [makeRecord('r').status('running').target('model/x').at(NOW - 2 * HOUR).obj()] }, { status: 'denied', deniedBy: 'max-concurrent' }],
    ['an action awaiting approval is in flight too', 'max_concurrent: 1', { history: [makeRecord('r').status('awaiting-approval').target('model/x').at(NOW - 2 * HOUR).obj()] }, { status: 'denied', deniedBy: 'max-concurrent' }],
    ['another policy\'s actions do not count against this one', 'max_concurrent: 1', { history: [makeRecord('r', 'other').status('running').at(NOW - MIN).obj()] }, { status: 'proposed' }],
    ['budget under the freeze fraction denies the action', 'freeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ]', { budgets: { 'fraud-latency': 0.08 } }, { status: 'denied', deniedBy: 'budget-freeze' }],
    ['budget above the freeze fraction lets it through', 'freeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ]', { budgets: { 'fraud-latency': 0.5 } }, { status: 'proposed' }],
    ['an SLO without a budget figure does not freeze by default (no data is not a failure)', 'freeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ]', {}, { status: 'proposed' }],
    ['…unless the policy freezes when the budget is unknown', 'freeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ]\nfreeze_when_budget_unknown: true', {}, { status: 'denied', deniedBy: 'budget-freeze' }],
    ['a frozen budget denies even in dry-run, so the preview shows the freeze', 'dry_run: true\nfreeze: [ { budget_below: { slo: s, below: 0.1 } } ]', { budgets: { s: 0 } }, { status: 'denied', deniedBy: 'budget-freeze' }],
  ])('%s', (_sentence, guardrails, ctx, expected) => {
    expect(decide(guardrails, ctx)).toMatchObject(expected);
  });

  test('a denial says which guardrail, why, and what would have happened', () => {
    const d = decide('freeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ]', { budgets: { 'fraud-latency': 0.042 } });
    expect(d.reason).toBe('SLO fraud-latency has 4.2% of this period\'s budget left, under the 10.0% freeze; would have: ' + `drift episode on fraud since ${new Date(NOW - HOUR).toISOString()} (share 0.6, peak PSI 0.5)`);
  });
});

describe('circuit breaker', () => {
  const failures = (n: number, lastAt: number) => Array.from({ length: n }, (_, k) => makeRecord(`f${k}`).target(`model/m${k}`).failed().at(lastAt - (n - 1 - k) * MIN).obj());
  const breaker = 'circuit_breaker: { failures: 3, reset_after: 1h }\nmax_per_hour: 100\nmax_concurrent: 100';

  test.each<[string, ActionRecord[], string]>([
    ['two failures keep it closed', failures(2, NOW - MIN), 'proposed'],
    ['three failures in a row open it', failures(3, NOW - MIN), 'denied'],
    ['a success after the failures closes it', [...failures(3, NOW - 10 * MIN), makeRecord('ok').target('model/ok').at(NOW - 5 * MIN).obj()], 'proposed'],
    ['after the reset time it lets one action through (half-open)', failures(3, NOW - 61 * MIN), 'proposed'],
    ['one more failure after the reset opens it again', [...failures(3, NOW - 2 * HOUR), makeRecord('probe').target('model/probe').failed().at(NOW - MIN).obj()], 'denied'],
  ])('%s', (_sentence, history, status) => {
    const d = decide(breaker, { history });
    expect(d.status).toBe(status);
    if (status === 'denied') expect(d.deniedBy).toBe('circuit-breaker');
  });

  test('the fold answers the breaker question at any instant', () => {
    const history = failures(3, NOW);
    const at = (t: number) => breakerOpen(guardrailState(history, 'p', t), { failures: 3, resetAfterMs: HOUR }, t);
    expect([at(NOW - 3 * MIN), at(NOW), at(NOW + 59 * MIN), at(NOW + HOUR)]).toEqual([false, true, true, false]);
  });
});

describe('approval', () => {
  const gated = retrain('require_approval: true\nfreeze: [ { budget_below: { slo: fraud-latency, below: 0.1 } } ]');
  const waiting = () => {
    const outcome = evaluatePolicy(gated, episode(), context());
    if (!('decision' in outcome)) throw new Error(outcome.skipped.reason);
    return outcome.decision;
  };

  test('an approved action is proposed once the guardrails still hold, not counting itself as in flight', () => {
    const d = waiting();
    expect(d.status).toBe('awaiting-approval');
    const history = [recordOf(d)];
    expect(decideApproved(d, gated, context({ now: NOW + HOUR, history }))).toMatchObject({ id: d.id, status: 'proposed', decidedAt: NOW + HOUR });
  });

  test('an action approved after its budget froze is denied by the freeze', () => {
    const d = waiting();
    expect(decideApproved(d, gated, context({ now: NOW + HOUR, history: [recordOf(d)], budgets: { 'fraud-latency': 0.02 } }))).toMatchObject({ status: 'denied', deniedBy: 'budget-freeze' });
  });
});
