import { describe, expect, test } from 'vitest';
import { evaluatePolicies, evaluatePolicy, triggerFires, type DriftEpisodeSignal, type GpuIdleSignal, type Signal } from '../../../src/domain/policy/index.js';
import { HOUR, MIN, NOW, PREEMPT, RETRAIN, ROLLBACK, contention, context, makeJob, makeRecord, pendingJob, policy, sloAlert } from './fixtures.js';

const drift = (over: Partial<DriftEpisodeSignal> = {}): DriftEpisodeSignal => ({
  kind: 'drift_episode', model: 'fraud', version: 'v7', episodeStart: NOW - 3 * HOUR, openedAt: NOW, driftShare: 0.5, peakPsi: 0.4, features: ['amount', 'country'], ...over,
});
const idle = (over: Partial<GpuIdleSignal> = {}): GpuIdleSignal => ({
  kind: 'gpu_idle', job: makeJob('notebook').utilization(0.02).obj(), idleSince: NOW - HOUR, namespaceJobs: 4, namespaceSuspended: 0, ...over,
});
const IDLE = 'trigger:\n  gpu_idle: { below_percent: 10, for: 30m }\naction:\n  preempt: {}';

describe('triggers', () => {
  test.each<[string, string, Signal, boolean]>([
    ['a drift episode on the model with enough share and PSI fires', RETRAIN, drift(), true],
    ['a drift episode on another model does not fire', RETRAIN, drift({ model: 'churn' }), false],
    ['a drift share under the minimum does not fire', RETRAIN, drift({ driftShare: 0.1 }), false],
    ['a peak PSI under the minimum does not fire', RETRAIN, drift({ peakPsi: 0.1 }), false],
    ['a page on the SLO fires a page policy', ROLLBACK, sloAlert(), true],
    ['a ticket does not fire a page policy', ROLLBACK, sloAlert({ severity: 'ticket' }), false],
    ['an alert on another SLO does not fire', ROLLBACK, sloAlert({ slo: 'other' }), false],
    ['a high-priority job pending longer than T fires', PREEMPT, contention([]), true],
    ['a job pending for less than T does not fire', PREEMPT, contention([], { pending: pendingJob({ pendingSince: NOW - 5 * MIN }) }), false],
    ['a pending job under the minimum priority does not fire', PREEMPT, contention([], { pending: pendingJob({ priority: 50 }) }), false],
    ['a job idle under N% for longer than T fires', IDLE, idle(), true],
    ['a job idle for less than T does not fire', IDLE, idle({ idleSince: NOW - 10 * MIN }), false],
    ['a job without utilisation telemetry is not idle (no data is not idleness)', IDLE, idle({ job: makeJob('x').utilization(undefined).obj() }), false],
    ['a signal of another kind never fires a trigger', RETRAIN, sloAlert(), false],
  ])('%s', (_sentence, spec, signal, fires) => {
    expect(triggerFires(policy(spec).trigger, signal, NOW).fired).toBe(fires);
  });
});

describe('retraining', () => {
  test('a drift episode proposes one KFP run named from the action id, with the cause as parameters', () => {
    const outcome = evaluatePolicy(policy(RETRAIN), drift(), context());
    expect(outcome).toMatchObject({ decision: { id: `retrain:fraud:${NOW - 3 * HOUR}`, kind: 'retrain', status: 'proposed', target: { key: 'model/fraud' } } });
    if (!('decision' in outcome) || outcome.decision.plan.kind !== 'retrain') throw new Error('expected a retrain plan');
    expect(outcome.decision.plan.runName).toMatch(/^retrain-fraud-[0-9a-f]{8}$/);
    expect(outcome.decision.plan.parameters).toEqual({
      epochs: '3', signal: 'drift_episode', model: 'fraud', version: 'v7', features: 'amount,country', episode_start: new Date(NOW - 3 * HOUR).toISOString(),
      episode_opened_at: new Date(NOW).toISOString(), peak_psi: '0.4', drift_share: '0.5', mlwarden_action_id: `retrain:fraud:${NOW - 3 * HOUR}`,
    });
  });

  test('the same episode seen again (a restart, a second replica) decides nothing new', () => {
    const history = [makeRecord(`retrain:fraud:${NOW - 3 * HOUR}`).status('running').at(NOW - MIN).obj()];
    expect(evaluatePolicy(policy(RETRAIN), drift(), context({ history }))).toMatchObject({ skipped: { reason: expect.stringContaining('already decided') } });
  });

  test('two policies on one episode make one run: the second sees the first\'s decision', () => {
    const outcomes = evaluatePolicies([policy(RETRAIN, 'a'), policy(RETRAIN, 'b')], drift(), context());
    expect(outcomes.map((o) => ('decision' in o ? o.decision.status : 'skipped'))).toEqual(['proposed', 'skipped']);
  });

  test('no retrain loop: a new episode on a model retrained within the cooldown is denied by the cooldown', () => {
    const history = [makeRecord('retrain:fraud:earlier').at(NOW - 30 * MIN).obj()];
    expect(evaluatePolicy(policy(RETRAIN), drift(), context({ history }))).toMatchObject({ decision: { status: 'denied', deniedBy: 'cooldown' } });
  });

  test('an SLO alert can start a retrain too (Argo target), never from missing data', () => {
    const spec = 'trigger:\n  slo_alert: { slo: fraud-latency }\naction:\n  retrain: { target: { argo: { workflow_template: retrain } } }';
    expect(evaluatePolicy(policy(spec), sloAlert(), context())).toMatchObject({ decision: { kind: 'retrain', id: `retrain:fraud:fraud-latency:${NOW - 5 * MIN}` } });
    expect(evaluatePolicy(policy(spec), sloAlert({ data: 'no-data' }), context())).toMatchObject({ skipped: { reason: expect.stringContaining('no data is not a failure') } });
  });
});
