import { describe, expect, test } from 'vitest';
import { planDelivery, recordDelivered, ResendPolicy, type AlertNotification, type DeliveryRecord, type Silence } from '../../src/alerting/index.js';

const S = 1000;
const INTERVAL = 60 * S;

const firing = (key: string, startsAt = 0): AlertNotification => ({
  dedupeKey: key,
  state: 'firing',
  labels: { alertname: 'SLOBurnRate', slo: key, severity: 'page' },
  annotations: {},
  startsAt,
  generatorURL: '',
});
const resolved = (key: string, startsAt: number, endsAt: number): AlertNotification => ({ ...firing(key, startsAt), state: 'resolved', endsAt });
const silenceFor = (key: string, startsAt: number, endsAt: number): Silence => ({ matchers: { slo: key }, startsAt, endsAt });

interface Step {
  at: number;
  handed: AlertNotification[];
  silences?: Silence[];
  /** Whether the receiver took what was due (default true). */
  delivered?: boolean;
}

/** Runs evaluations through one policy; per step, what was due as `key:state`. */
function run(steps: Step[], options: { resolvedRepeats?: number } = {}): string[][] {
  const policy = new ResendPolicy({ resendIntervalMs: INTERVAL, ...options });
  return steps.map((s) => {
    const { due } = policy.plan(s.handed, s.silences ?? [], s.at);
    if (s.delivered !== false) policy.delivered(due, s.at);
    return due.map((n) => `${n.dedupeKey}:${n.state}`);
  });
}

describe('resend policy: firing alerts', () => {
  test.each<[string, Step[], string[][]]>([
    ['a new firing alert is sent at once', [{ at: 0, handed: [firing('a')] }], [['a:firing']]],
    ['a firing alert sent 30 s ago is not sent again', [{ at: 0, handed: [firing('a')] }, { at: 30 * S, handed: [firing('a')] }], [['a:firing'], []]],
    ['a firing alert is re-sent once the resend interval has passed, and again an interval later',
      [0, 30, 60, 90, 120].map((t) => ({ at: t * S, handed: [firing('a')] })), [['a:firing'], [], ['a:firing'], [], ['a:firing']]],
    ['a clock that went backwards counts as an elapsed interval', [{ at: 100 * S, handed: [firing('a')] }, { at: 50 * S, handed: [firing('a')] }], [['a:firing'], ['a:firing']]],
    ['a new firing episode (new startsAt) is sent at once, however recent the last send',
      [{ at: 0, handed: [firing('a', 0)] }, { at: 10 * S, handed: [resolved('a', 0, 10 * S)] }, { at: 20 * S, handed: [firing('a', 20 * S)] }], [['a:firing'], ['a:resolved'], ['a:firing']]],
    ['a send that failed is retried at the next evaluation, not an interval later',
      [{ at: 0, handed: [firing('a')], delivered: false }, { at: 30 * S, handed: [firing('a')] }, { at: 60 * S, handed: [firing('a')] }], [['a:firing'], ['a:firing'], []]],
    ['each alert keeps its own schedule',
      [{ at: 0, handed: [firing('a')] }, { at: 30 * S, handed: [firing('a'), firing('b', 30 * S)] }, { at: 60 * S, handed: [firing('a'), firing('b', 30 * S)] }], [['a:firing'], ['b:firing'], ['a:firing']]],
  ])('%s', (_sentence, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });
});

describe('resend policy: resolved alerts', () => {
  const resolvedAt = 100 * S;
  const afterFiring = (...times: number[]): Step[] => [{ at: 0, handed: [firing('a')] }, ...times.map((t) => ({ at: t * S, handed: [resolved('a', 0, resolvedAt)] }))];

  test.each<[string, Step[], { resolvedRepeats?: number }, string[][]]>([
    ['a resolved alert whose firing was delivered is sent at once', afterFiring(100), {}, [['a:firing'], ['a:resolved']]],
    ['a resolved alert is sent once plus 2 repeats an interval apart by default, then no more',
      afterFiring(100, 130, 160, 220, 280, 340), {}, [['a:firing'], ['a:resolved'], [], ['a:resolved'], ['a:resolved'], [], []]],
    ['with resolvedRepeats 0 a resolved alert is sent exactly once', afterFiring(100, 160, 220), { resolvedRepeats: 0 }, [['a:firing'], ['a:resolved'], [], []]],
    ['a resolved alert we have no record of (after a restart) is sent: better redundant than stuck open',
      [{ at: 0, handed: [resolved('a', 0, 0)] }], {}, [['a:resolved']]],
    ['a resolved alert whose firing send failed is still sent', [{ at: 0, handed: [firing('a')], delivered: false }, { at: 30 * S, handed: [resolved('a', 0, 30 * S)] }], {}, [['a:firing'], ['a:resolved']]],
  ])('%s', (_sentence, steps, options, expected) => {
    expect(run(steps, options)).toEqual(expected);
  });
});

describe('resend policy: silences', () => {
  const silence = silenceFor('a', 0, 100 * S);

  test.each<[string, Step[], string[][]]>([
    ['a silenced firing alert is not sent', [{ at: 10 * S, handed: [firing('a')], silences: [silence] }], [[]]],
    ['a silence covers only the alerts it matches', [{ at: 10 * S, handed: [firing('a'), firing('b')], silences: [silence] }], [['b:firing']]],
    ['an alert silenced from the start is sent as soon as the silence ends',
      [{ at: 10 * S, handed: [firing('a')], silences: [silence] }, { at: 100 * S, handed: [firing('a')], silences: [silence] }], [[], ['a:firing']]],
    ['an alert silenced while firing is no longer re-sent, and is re-sent once the silence ends',
      [{ at: -30 * S, handed: [firing('a', -30 * S)] }, { at: 40 * S, handed: [firing('a', -30 * S)], silences: [silence] }, { at: 100 * S, handed: [firing('a', -30 * S)], silences: [silence] }], [['a:firing'], [], ['a:firing']]],
    ['an alert that fired and resolved entirely under a silence is never sent, not even as resolved',
      [{ at: 10 * S, handed: [firing('a', 10 * S)], silences: [silence] }, { at: 50 * S, handed: [resolved('a', 10 * S, 50 * S)], silences: [silence] }, { at: 110 * S, handed: [resolved('a', 10 * S, 50 * S)], silences: [silence] }], [[], [], []]],
    ['a resolution held back by a silence is sent when the silence ends, if the firing had been delivered',
      [{ at: -30 * S, handed: [firing('a', -30 * S)] }, { at: 50 * S, handed: [resolved('a', -30 * S, 50 * S)], silences: [silence] }, { at: 100 * S, handed: [resolved('a', -30 * S, 50 * S)], silences: [silence] }], [['a:firing'], [], ['a:resolved']]],
  ])('%s', (_sentence, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  test('planning reports the silenced notifications apart from the due ones', () => {
    const plan = new ResendPolicy({ resendIntervalMs: INTERVAL }).plan([firing('a'), firing('b')], [silence], 10 * S);
    expect(plan.due.map((n) => n.dedupeKey)).toEqual(['b']);
    expect(plan.silenced.map((n) => n.dedupeKey)).toEqual(['a']);
  });
});

describe('resend policy: the ledger', () => {
  const options = { resendIntervalMs: INTERVAL };

  test('planning and recording are pure: the ledger given is never changed', () => {
    const ledger = new Map<string, DeliveryRecord>([['a', { startsAt: 0, delivered: 'firing', lastSentAt: 0, sends: 1 }]]);
    const snapshot = structuredClone(ledger);
    const plan = planDelivery([firing('a'), firing('b')], ledger, [silenceFor('b', 0, 10)], 5, options);
    recordDelivered(plan.ledger, plan.due, 5);
    expect(ledger).toEqual(snapshot);
  });

  test('an alert no longer handed in is forgotten, so the ledger stays as small as the alert set', () => {
    const policy = new ResendPolicy(options);
    policy.delivered([firing('a'), firing('b')], 0);
    policy.plan([firing('a')], [], 10 * S);
    expect([...policy.ledger.keys()]).toEqual(['a']);
  });

  test('recording counts repeated deliveries of the same state in the same episode', () => {
    const once = recordDelivered(new Map(), [resolved('a', 0, 5)], 10);
    const twice = recordDelivered(once, [resolved('a', 0, 5)], 70);
    expect(twice.get('a')).toEqual({ startsAt: 0, delivered: 'resolved', lastSentAt: 70, sends: 2 });
  });

  test.each([
    ['a zero resend interval', { resendIntervalMs: 0 }, /resendIntervalMs must be positive/],
    ['a fractional number of resolved repeats', { resendIntervalMs: 1, resolvedRepeats: 1.5 }, /resolvedRepeats must be a whole number/],
  ])('%s is refused', (_name, bad, message) => {
    expect(() => new ResendPolicy(bad)).toThrow(message);
  });
});
