import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateSlo } from '../../src/analysis/index.js';
import { loadSloSpecs, type Slo } from '../../src/domain/slo/index.js';
import { windowCounts } from '../../src/store/index.js';
import { post, testApp, type TestApp } from '../support/test-app.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * End to end on the real engine: requests with a controlled error rate go in through the HTTP API;
 * the SLI, burn rates and budget equal a reference computed here from the same events.
 */
const MIN = 60_000;
const H = 60 * MIN;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 30);
const END = Date.UTC(2026, 10, 24, 12, 0, 0);

const SPEC = `
apiVersion: mlwarden.dev/v1
kind: SLO
metadata: { name: fraud-availability }
spec:
  objective: 99.9
  window: 30d
  sli: { type: availability, model: fraud }
  group_by: [version]
  alerting: { min_events: 100 }
`;

interface Sent {
  ts: number;
  version: string;
  status: number;
}

let t: TestStore;
let h: TestApp;
let slo: Slo;
const sent: Sent[] = [];

/** Minute m (before END) carries `n` requests, `errors` of them 503. */
function minute(m: number, n: number, errors: number, version: string): Array<Sent & { model: string; latency_ms: number }> {
  return Array.from({ length: n }, (_, i) => ({ ts: END - m * MIN + i * 10, model: 'fraud', version, status: i < errors ? 503 : 200, latency_ms: 20 }));
}

beforeAll(async () => {
  t = await openTestStore();
  h = testApp(t, { now: () => NOW });
  slo = loadSloSpecs([{ name: 'inline.yaml', text: SPEC }], NOW)[0] as Slo;
  const records: Array<Sent & { model: string; latency_ms: number }> = [];
  for (let m = 1; m <= 3 * 24 * 60; m++) {
    if (m > 600 && m <= 660) continue; // an hour with no traffic at all
    const peak = m > 1000 && m <= 1030; // a half-hour traffic peak with errors
    const n = peak ? 60 : m <= 60 ? 5 : 6;
    const errors = peak ? 3 : m <= 60 ? (m % 10 === 1 ? 1 : 0) : m % 97 === 0 ? 1 : 0;
    records.push(...minute(m, n, errors, m % 2 === 0 ? 'v2' : 'v1'));
  }
  for (let i = 0; i < records.length; i += 5000) {
    const response = await post(h.app, 'requests', records.slice(i, i + 5000));
    expect(response.status).toBe(200);
  }
  sent.push(...records);
}, 120_000);
afterAll(async () => {
  await h.close();
  await t.close();
});

function reference(from: number, version?: string) {
  const these = sent.filter((r) => r.ts >= from && r.ts < END && (version === undefined || r.version === version));
  const total = these.length;
  const bad = these.filter((r) => r.status >= 500).length;
  return { total, bad, sli: 1 - bad / total, burn: bad / total / (1 - 0.999) };
}

describe('SLO evaluation on the real engine equals an independent reference', () => {
  test('the SLI and burn rate of every tier window, overall and per version, to 1e-9', async () => {
    const e = await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, NOW);
    expect(e.plan.end).toBe(END);
    for (const w of e.overall.windows) {
      const ref = reference(END - w.windowMs);
      expect(w.counts.total).toBe(ref.total);
      expect(w.sli).toBeCloseTo(ref.sli, 9);
      expect(w.burnRate).toBeCloseTo(ref.burn, 9);
    }
    for (const g of e.groups) {
      for (const w of g.windows) expect(w.burnRate, `${g.labels.version} ${w.windowMs}`).toBeCloseTo(reference(END - w.windowMs, g.labels.version).burn, 9);
    }
    expect(e.groups.map((g) => g.labels.version).sort()).toEqual(['v1', 'v2']);
  });

  test('issue 9 point 1: the period budget is event-weighted: an empty hour adds nothing and the peak weighs by its traffic', async () => {
    const e = await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, NOW);
    const ref = reference(END - 30 * 24 * H);
    expect(e.overall.period.counts).toEqual({ good: ref.total - ref.bad, total: ref.total });
    expect(e.overall.budget.allowedBad).toBeCloseTo(0.001 * ref.total, 9);
    expect(e.overall.budget.remainingFraction).toBeCloseTo(1 - ref.bad / (0.001 * ref.total), 9);
    // An average of per-hour ratios would differ: it gives the empty hour a ratio (or NaN) and the peak one hour's weight.
    const hourly = Array.from({ length: 72 }, (_, i) => reference(END - (i + 1) * H)).map((r, i, all) => (i === 0 ? r : { ...r, total: r.total - (all[i - 1] as typeof r).total, bad: r.bad - (all[i - 1] as typeof r).bad }));
    const averaged = hourly.filter((r) => r.total > 0).reduce((s, r) => s + r.bad / r.total, 0) / hourly.filter((r) => r.total > 0).length;
    expect(Math.abs(averaged - ref.bad / ref.total)).toBeGreaterThan(1e-4);
  });

  test('a 2% error ratio over the last hour burns at 20× and the page-fast tier burns', async () => {
    const e = await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, NOW);
    const pageFast = e.overall.tiers.find((x) => x.tier.name === 'page-fast');
    expect(reference(END - H).burn).toBeCloseTo(20, 9);
    expect(pageFast?.factor).toBeCloseTo(14.4, 9);
    expect(pageFast?.status).toBe('burning');
    expect(e.overall.burning).toContain('page');
    expect(e.overall.health).toBe('burning');
  });

  test('time to exhaustion follows from the remaining budget and the 1h burn rate', async () => {
    const e = await evaluateSlo((q) => windowCounts(t.store.client, 'mlwarden', q), slo, NOW);
    const remaining = e.overall.budget.remainingFraction as number;
    const burn = reference(END - H).burn;
    expect(e.overall.budget.timeToExhaustionMs).toBeCloseTo(remaining > 0 ? (remaining * 30 * 24 * H) / burn : 0, 3);
  });
});
