import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ActionLog, LATEST_SCHEMA_VERSION, migrate, type ActionEntry } from '../../src/store/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');

function entry(id: string, overrides: Partial<ActionEntry> = {}): ActionEntry {
  return {
    id, policy: 'retrain-fraud', kind: 'retrain', target: 'model/fraud', status: 'proposed', reason: 'drift', cause: { model: 'fraud', peak_psi: 0.4 },
    plan: { kind: 'retrain', runName: 'retrain-fraud-1' }, denied_by: '', outcome: '', victims: [], actor: '', created_at: T0, updated_at: T0, finished_at: null,
    ...overrides,
  };
}

describe('action log (actions table)', () => {
  let t: TestStore;
  let log: ActionLog;
  beforeAll(async () => {
    t = await openTestStore();
    log = new ActionLog(t.store.client, t.ctx.database);
  });
  afterAll(() => t.close());

  test('round-trips every field, and the latest update of an action wins', async () => {
    await log.save([entry('a1')]);
    await log.save([entry('a1', { status: 'done', outcome: 'succeeded', updated_at: T0 + 5_000, finished_at: T0 + 5_000, actor: 'admin', victims: ['job/ml/x'] })]);
    const got = await log.get('a1');
    expect(got).toEqual(entry('a1', { status: 'done', outcome: 'succeeded', updated_at: T0 + 5_000, finished_at: T0 + 5_000, actor: 'admin', victims: ['job/ml/x'] }));
  });

  test('filters by status, policy and creation time, newest first', async () => {
    await log.save([
      entry('b1', { policy: 'p', status: 'awaiting-approval', created_at: T0 + 1, updated_at: T0 + 1 }),
      entry('b2', { policy: 'p', status: 'denied', denied_by: 'cooldown', created_at: T0 + 2, updated_at: T0 + 2 }),
      entry('b3', { policy: 'q', status: 'awaiting-approval', created_at: T0 + 3, updated_at: T0 + 3 }),
    ]);
    expect((await log.list({ policy: 'p' })).map((e) => e.id)).toEqual(['b2', 'b1']);
    expect((await log.list({ statuses: ['awaiting-approval'] })).map((e) => e.id)).toEqual(['b3', 'b1']);
    expect((await log.list({ since: T0 + 2 })).map((e) => e.id)).toEqual(['b3', 'b2']);
    expect((await log.get('b2'))?.denied_by).toBe('cooldown');
    expect(await log.get('missing')).toBeUndefined();
  });
  test('migration 5 adds the detail columns to an existing actions table and keeps earlier rows readable', async () => {
    const older = { ...t.ctx, database: 'older' };
    await t.store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS older' });
    // The actions table as migration 1 created it before migration 5 existed.
    await t.store.client.command({ query: "CREATE TABLE older.actions (id String, policy LowCardinality(String), kind LowCardinality(String), target String, status LowCardinality(String), reason String, cause String, created_at DateTime64(3, 'UTC'), updated_at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree(updated_at) ORDER BY id" });
    await t.store.client.insert({ table: 'older.actions', values: [{ id: 'old', policy: 'p', kind: 'retrain', target: 'model/m', status: 'done', reason: 'r', cause: '{}', created_at: T0, updated_at: T0 }], format: 'JSONEachRow' });
    const report = await migrate(t.store.client, older);
    expect(report.current).toBe(LATEST_SCHEMA_VERSION);
    const got = await new ActionLog(t.store.client, 'older').get('old');
    expect(got).toMatchObject({ id: 'old', status: 'done', plan: null, denied_by: '', outcome: '', victims: [], finished_at: null });
  });
});
