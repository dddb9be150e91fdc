import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { AlertDelivery, AlertEngine, AlertmanagerNotifier } from '../../src/alerting/index.js';
import { evaluateSlo } from '../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../src/domain/slo/index.js';
import { AlertHistory, windowCounts } from '../../src/store/index.js';
import { alertmanagerSkipReason, startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * Issue 3, acceptance 4: errors burn a 99.9% SLO, the page reaches a real Alertmanager (checked through
 * its API v2), and resolves there once the errors stop. Telemetry is stamped relative to the wall
 * clock (Alertmanager judges startsAt/endsAt by it); evaluations run at chosen instants.
 */
const MIN = 60_000;
const skipReason = alertmanagerSkipReason();
const SPEC = `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  objective: 99.9
  sli: { type: availability, model: checkout }
  alerting:
    name: CheckoutAvailabilityBurn
    min_events: 100
    ticket: { disabled: true }
    annotations: { runbook_url: https://example.test/runbooks#latency-spike-after-deploy }
`;

let t: TestStore;
let h: TestApp;
let am: RunningAlertmanager | undefined;
let slo: Slo;
const WALL = Math.floor(Date.now() / MIN) * MIN;

beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => WALL });
  slo = loadSloSpecs([{ name: 'e2e.yaml', text: SPEC }], WALL)[0] as Slo;
  if (!skipReason) am = await startAlertmanager();
  // 100 requests a minute for 100 minutes; 3% errors from 100 to 40 minutes ago, none since.
  const records = [];
  for (let m = 1; m <= 100; m++) {
    for (let i = 0; i < 100; i++) records.push({ ts: WALL - m * MIN + i * 100, model: 'checkout', status: m > 40 && i < 3 ? 503 : 200, latency_ms: 15 });
  }
  expect((await post(h.app, 'requests', records)).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await am?.stop();
  await h.close();
  await t.close();
});
beforeEach((ctx) => ctx.skip(skipReason !== undefined, skipReason));

describe('an SLO page end to end', () => {
  test('pending, then firing in Alertmanager with its labels, then resolved there when the errors stop', async () => {
    const alertmanager = am as RunningAlertmanager;
    const history = new AlertHistory(t.store.client, 'mlwarden');
    const delivery = new AlertDelivery({
      notifiers: [new AlertmanagerNotifier({ urls: [alertmanager.url], resendIntervalMs: 10 * MIN })],
      resend: { resendIntervalMs: 10 * MIN },
      logger: pino({ level: 'silent' }),
    });
    const engine = new AlertEngine({ history, deliver: delivery.deliver, generatorUrl: (name) => `http://mlwarden.test/v1/slos/${name}`, logger: pino({ level: 'silent' }) });
    const evaluate = async (at: number) => engine.process([await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, at)], at);
    const pages = () => alertmanager.alerts({ filter: ['alertname="CheckoutAvailabilityBurn"'] });

    await evaluate(WALL - 42 * MIN);
    expect(engine.alertsFor(slo.name).map((a) => a.state.phase)).toEqual(['pending']);
    expect(await pages()).toEqual([]);

    await evaluate(WALL - 40 * MIN);
    expect(engine.alertsFor(slo.name).map((a) => a.state.phase)).toEqual(['firing']);
    const [page] = await pages();
    expect(page?.labels).toMatchObject({ alertname: 'CheckoutAvailabilityBurn', severity: 'page', slo: 'checkout-availability' });
    expect(page?.annotations.runbook_url).toBe('https://example.test/runbooks#latency-spike-after-deploy');
    expect(page?.annotations.description).toMatch(/burning its 30d error budget at 30\.0× over (1h|6h)/);
    expect(Date.parse(page?.startsAt ?? '')).toBe(WALL - 40 * MIN);
    expect(page?.status.state).toBe('active');

    await evaluate(WALL);
    expect(engine.alertsFor(slo.name).map((a) => a.state.phase)).toEqual(['resolved']);
    expect(await pages()).toEqual([]);

    const recorded = await history.forSlo(slo.name, 10);
    expect(recorded.map((r) => r.state).reverse()).toEqual(['pending', 'firing', 'resolved']);
  });
});
