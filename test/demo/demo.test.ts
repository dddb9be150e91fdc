import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/main.js';

/**
 * The demo end to end, in-process at 120× speed: the story the scenario scripts must show up in
 * mlwarden's own API — a page and a rollback that fixed it, a drift episode and the retraining run
 * it started, a preemption that made room for production training.
 */
const SPEED = 120;
const BUDGET_MS = 80_000;

interface Action {
  kind: string;
  status: string;
  target: string;
  reason: string;
  victims: string[];
}

let demo: RunningDemo;
let dataDir: string;
const story: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-demo-test-'));
  demo = await startDemo({ speed: SPEED, port: 0, dataDir, out: { write: (text: string) => story.push(text) } });
}, 60_000);

afterAll(async () => {
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${demo.url}${path}`);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

interface Seen {
  actions: Action[];
  pageHistory: Array<{ severity: string; state: string }>;
  episodes: unknown[];
}

async function look(): Promise<Seen> {
  const actions = await get<Action[]>('/v1/actions');
  const slo = await get<{ history: Array<{ severity: string; state: string }> }>('/v1/slos/fraud-latency');
  const drift = await get<{ features: Array<{ episodes: unknown[] }> }>('/v1/drift?model=fraud');
  return { actions, pageHistory: slo.history, episodes: drift.features.flatMap((f) => f.episodes) };
}

const done = (s: Seen, kind: string) => s.actions.filter((a) => a.kind === kind && a.status === 'done');
const storyComplete = (s: Seen) =>
  s.pageHistory.some((h) => h.severity === 'page' && h.state === 'firing') && done(s, 'rollback').length > 0 && s.episodes.length > 0 && done(s, 'retrain').length > 0 && done(s, 'preempt').length > 0;

describe('mlwarden demo', () => {
  test(
    'within its wall-time budget the API shows a page, a completed rollback, a drift episode with a retraining run, and a preemption',
    async () => {
      const started = Date.now();
      let seen = await look();
      while (!storyComplete(seen) && Date.now() - started < BUDGET_MS) {
        await new Promise((r) => setTimeout(r, 1000));
        seen = await look();
      }
      const context = `after ${Math.round((Date.now() - started) / 1000)} s:\n${story.join('')}`;
      expect(seen.pageHistory.filter((h) => h.severity === 'page').map((h) => h.state), context).toContain('firing');
      expect(done(seen, 'rollback'), context).toContainEqual(expect.objectContaining({ target: 'inferenceservice/serving/fraud', reason: expect.stringContaining('recovered') }));
      expect(seen.episodes.length, context).toBeGreaterThan(0);
      expect(done(seen, 'retrain'), context).toContainEqual(expect.objectContaining({ target: 'model/fraud', reason: expect.stringContaining('started kfp run') }));
      expect(done(seen, 'preempt'), context).toContainEqual(expect.objectContaining({ target: 'job/training/fraud-train-prod' }));
      expect(done(seen, 'preempt')[0]?.victims.length, context).toBeGreaterThan(0);
    },
    BUDGET_MS + 10_000,
  );

  test('the terminal told the story as it happened: backfill progress, the URLs, alerts and actions', () => {
    const text = story.join('');
    expect(text).toMatch(/backfilling history \[#+\] 72\/72 h/);
    expect(text).toContain(`status page ${demo.url}/`);
    expect(text).toMatch(/PAGE\s+firing\s+fraud-latency/);
    expect(text).toMatch(/action\s+rollback done: inferenceservice\/serving\/fraud/);
    expect(text).toMatch(/action\s+retrain done: model\/fraud/);
    expect(text).toMatch(/action\s+preempt done: job\/training\/fraud-train-prod/);
  });
});
