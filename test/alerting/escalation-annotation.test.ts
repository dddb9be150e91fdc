import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AlertEngine, type AlertNotification } from '../../src/alerting/index.js';
import { evaluateSlo } from '../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../src/domain/slo/index.js';
import { AlertHistory, windowCounts } from '../../src/store/index.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const MIN = 60_000;
const T = Date.parse('2026-11-20T12:00:00Z');
const SPEC = `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: fraud-availability }
spec:
  objective: 99.9
  sli: { type: availability, model: fraud }
  alerting: { min_events: 100, ticket: { disabled: true } }
`;

let t: TestStore;
let h: TestApp;
beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => T });
  const records = [];
  for (let m = 1; m <= 90; m++) for (let i = 0; i < 100; i++) records.push({ ts: T - m * MIN + i * 100, model: 'fraud', status: m < 60 && i < 5 ? 503 : 200, latency_ms: 10 });
  expect((await post(h.app, 'requests', records)).status).toBe(200);
});
afterAll(async () => {
  await h.close();
  await t.close();
});

describe('an escalation annotates the firing alert', () => {
  test('the policy engine\'s note rides on the page while it fires, and only firing alerts take one', async () => {
    const slo = loadSloSpecs([{ name: 's.yaml', text: SPEC }], T)[0] as Slo;
    const sent: AlertNotification[][] = [];
    const engine = new AlertEngine({ history: new AlertHistory(t.store.client, 'mlwarden'), deliver: async (n) => void sent.push(n), generatorUrl: () => 'http://x', logger: pino({ level: 'silent' }) });
    const evaluate = async (at: number) => engine.process([await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, at)], at);
    await evaluate(T - 30 * MIN);
    await evaluate(T - 28 * MIN);
    expect(engine.alertsFor(slo.name).map((a) => a.state.phase)).toEqual(['firing']);
    engine.annotateFiring(slo.name, { mlwarden_escalation: 'no recent rollout explains the burn' });
    await evaluate(T - 27 * MIN);
    expect(sent.at(-1)?.[0]?.annotations.mlwarden_escalation).toBe('no recent rollout explains the burn');
    await evaluate(T + 120 * MIN);
    // The resolved notice is the same alert, note included; the note goes with it.
    expect(sent.at(-1)?.[0]).toMatchObject({ state: 'resolved', annotations: { mlwarden_escalation: 'no recent rollout explains the burn' } });
    engine.annotateFiring(slo.name, { mlwarden_escalation: 'late' });
    expect(engine.alertsFor(slo.name).every((a) => a.annotations.mlwarden_escalation !== 'late')).toBe(true);
  });
});
