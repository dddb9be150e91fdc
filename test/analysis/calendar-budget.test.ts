import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateSlo, SloMetrics } from '../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../src/domain/slo/index.js';
import { windowCounts } from '../../src/store/index.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * Issue 9, point 5 — calendar budgets you can act on: beside a rolling 30-day budget, the budget left
 * for the current calendar month in a configurable time zone, on /metrics and the API.
 */
const NOW = Date.UTC(2026, 10, 2, 12);
const spec = (name: string, calendar: string) => `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: ${name} }
spec:
  objective: 99
  window: 30d
  ${calendar}
  sli: { type: availability, model: shop }
  alerting: { min_events: 10 }
`;

let t: TestStore;
let h: TestApp;
let utc: Slo;
let berlin: Slo;

beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => NOW });
  [utc, berlin] = loadSloSpecs([{ name: 'cal.yaml', text: spec('shop-utc', '') + '---' + spec('shop-berlin', 'budget_calendar: { unit: month, time_zone: Europe/Berlin }') }], NOW) as [Slo, Slo];
  const at = (iso: string, n: number, errors: number) => Array.from({ length: n }, (_, i) => ({ ts: Date.parse(iso) + i, model: 'shop', status: i < errors ? 500 : 200, latency_ms: 5 }));
  const records = [
    ...at('2026-10-20T10:00:00Z', 1000, 20), // October (any zone): 2% errors
    ...at('2026-10-31T23:30:00Z', 1000, 5), // 00:30 on 1 November in Berlin, still October in UTC
    ...at('2026-11-01T12:00:00Z', 2000, 10), // November everywhere
  ];
  expect((await post(h.app, 'requests', records)).status).toBe(200);
});
afterAll(async () => {
  await h.close();
  await t.close();
});

const read = (slo: Slo) => evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, NOW);

describe('calendar budgets you can act on (issue 9, point 5)', () => {
  test('issue 9 point 5: the rolling budget counts October; this UTC month counts only November', async () => {
    const e = await read(utc);
    expect(e.overall.budget.remainingFraction).toBeCloseTo(1 - 35 / (0.01 * 4000), 9);
    expect(e.overall.calendarBudget.remainingFraction).toBeCloseTo(1 - 10 / (0.01 * 2000), 9);
    expect(e.plan.calendar.start).toBe(Date.UTC(2026, 10, 1));
  });

  test('issue 9 point 5: in Europe/Berlin the month began at 23:00 UTC on 31 October, so that hour counts too', async () => {
    const e = await read(berlin);
    expect(e.plan.calendar.start).toBe(Date.UTC(2026, 9, 31, 23));
    expect(e.overall.calendarBudget.remainingFraction).toBeCloseTo(1 - 15 / (0.01 * 3000), 9);
  });

  test('issue 9 point 5: the calendar budget is on /metrics with its calendar', async () => {
    const registry = new Registry();
    const metrics = new SloMetrics(registry);
    metrics.record(await read(berlin));
    const text = await registry.metrics();
    expect(text).toMatch(/mlwarden_slo_calendar_budget_remaining_ratio\{slo="shop-berlin",group="",calendar="month Europe\/Berlin"\} 0\.5/);
  });
});
