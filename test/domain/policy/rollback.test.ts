import { describe, expect, test } from 'vitest';
import { evaluatePolicy, recordOf, rollbackRecovery, type ActionDecision, type SloAlertSignal } from '../../../src/domain/policy/index.js';
import { HOUR, MIN, NOW, ROLLBACK, context, makeRecord, policy, sloAlert } from './fixtures.js';

const rollback = policy(ROLLBACK);
function decide(signal: SloAlertSignal, history = [] as ReturnType<typeof recordOf>[], now = NOW): ActionDecision | string {
  const outcome = evaluatePolicy(rollback, signal, context({ history, now }));
  return 'decision' in outcome ? outcome.decision : outcome.skipped.reason;
}

describe('rollback', () => {
  test('a page 20 minutes after v2 rolled out rolls the InferenceService back to v1', () => {
    expect(decide(sloAlert())).toMatchObject({
      id: `rollback:fraud-latency:fraud:${NOW - 5 * MIN}`, kind: 'rollback', status: 'proposed',
      target: { resource: 'inferenceservice', namespace: 'serving', name: 'fraud', key: 'inferenceservice/serving/fraud' },
      plan: { kind: 'rollback', resource: 'kserve', strategy: 'previous-predictor-spec', fromVersion: 'v2', toVersion: 'v1' },
      cause: { slo: 'fraud-latency', model: 'fraud', version: 'v2', previous_version: 'v1' },
    });
  });

  test.each([
    ['a KServe canary in progress goes to no canary traffic', 'kserve', true, 'inferenceservice', 'canary-to-zero'],
    ['a fully rolled-out KServe predictor goes back to the last good spec', 'kserve', false, 'inferenceservice', 'previous-predictor-spec'],
    ['a Deployment goes back to its previous ReplicaSet\'s template', 'deployment', false, 'deployment', 'previous-replicaset'],
  ])('%s', (_sentence, kind, canary, resource, strategy) => {
    const p = policy(ROLLBACK.replace('kind: kserve', `kind: ${kind}`));
    const signal = sloAlert({ rollout: { version: 'v2', previousVersion: 'v1', rolledOutAt: NOW - 20 * MIN, canary } });
    expect(evaluatePolicy(p, signal, context())).toMatchObject({ decision: { target: { resource }, plan: { resource: kind, strategy } } });
  });

  test.each<[string, Partial<SloAlertSignal>, string]>([
    ['a burn with no rollout known escalates instead of acting', { rollout: null }, 'no rollout of the model is known'],
    ['a burn long after the last rollout escalates instead of acting', { rollout: { version: 'v2', previousVersion: 'v1', rolledOutAt: NOW - 3 * HOUR } }, 'older than the 60m lookback'],
    ['a burn right after mlwarden\'s own rollback escalates (no rollback loop)', { rollout: { version: 'v1', previousVersion: 'v2', rolledOutAt: NOW - 10 * MIN, byAction: 'rollback:x' } }, 'mlwarden\'s own rollback'],
  ])('%s', (_sentence, over, why) => {
    const d = decide(sloAlert(over));
    expect(d).toMatchObject({ kind: 'escalate', status: 'proposed', reason: expect.stringContaining(why), plan: { kind: 'escalate', annotation: expect.stringContaining('escalating to a person') } });
  });

  test.each([
    ['an SLI with no data never rolls back', 'no-data'],
    ['an SLI with too few events never rolls back', 'insufficient'],
  ] as const)('%s (no false rollbacks from missing data)', (_sentence, data) => {
    expect(decide(sloAlert({ data }))).toContain('no data is not a failure');
  });

  test('the same alert never rolls back twice, whatever became of the first rollback', () => {
    const first = decide(sloAlert());
    if (typeof first === 'string') throw new Error(first);
    for (const status of ['proposed', 'running', 'done', 'failed', 'dry-run', 'rejected'] as const) {
      expect(decide(sloAlert(), [{ ...recordOf(first), status }], NOW + 10 * MIN)).toContain('already decided');
    }
  });

  test('a denied rollback may be decided again for the same alert once the guardrail clears', () => {
    const history = [makeRecord(`rollback:fraud-latency:fraud:${NOW - 5 * MIN}`).kind('rollback').target('inferenceservice/serving/fraud').status('denied').at(NOW - MIN).obj()];
    expect(decide(sloAlert(), history)).toMatchObject({ kind: 'rollback', status: 'proposed' });
  });

  test('a rollback is a risky action: it freezes when the budget named in the policy is nearly spent', () => {
    const frozen = policy(`${ROLLBACK}guardrails:\n  freeze: [ { budget_below: { slo: checkout-availability, below: 0.1 } } ]`);
    expect(evaluatePolicy(frozen, sloAlert(), context({ budgets: { 'checkout-availability': 0.05 } }))).toMatchObject({ decision: { kind: 'rollback', status: 'denied', deniedBy: 'budget-freeze' } });
  });

  test('a new alert on the same service within the cooldown after a rollback is denied by the cooldown', () => {
    const history = [makeRecord('rollback:earlier').kind('rollback').target('inferenceservice/serving/fraud').at(NOW - 30 * MIN).obj()];
    expect(decide(sloAlert(), history)).toMatchObject({ kind: 'rollback', status: 'denied', deniedBy: 'cooldown' });
  });
});

describe('after a rollback', () => {
  const rules = { settleMs: 10 * MIN, deadlineMs: HOUR, maxBurnRate: 1 };
  test.each([
    ['before it settles nothing is judged', 5 * MIN, { burnRate: 20, alertFiring: true }, 'waiting'],
    ['a burn back under the allowed rate with the alert resolved is a recovery', 15 * MIN, { burnRate: 0.4, alertFiring: false }, 'recovered'],
    ['a burn still high keeps waiting until the deadline', 30 * MIN, { burnRate: 8, alertFiring: true }, 'waiting'],
    ['a burn still high at the deadline did not recover (a failed action)', HOUR, { burnRate: 8, alertFiring: true }, 'not-recovered'],
    ['no data after the rollback is not a failure: it waits', 30 * MIN, { burnRate: undefined, alertFiring: false }, 'waiting'],
    ['no data until the deadline gives no verdict, never a failure', HOUR, { burnRate: undefined, alertFiring: false }, 'unknown'],
  ] as const)('%s', (_sentence, elapsed, seen, verdict) => {
    expect(rollbackRecovery(NOW, NOW + elapsed, seen, rules)).toBe(verdict);
  });
});
