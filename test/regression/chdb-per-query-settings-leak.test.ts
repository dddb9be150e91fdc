import { afterAll, beforeAll, expect, test } from 'vitest';
import { windowCounts } from '../../src/store/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * chDB's connection applies a request's clickhouse_settings as session-wide SETs. Evaluating a custom
 * SLI under `readonly = 1` that way left the embedded store read-only: every later INSERT failed.
 */
let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(() => t.close());

test('a read-only custom SLI evaluation leaves the embedded store writable', async () => {
  const end = Date.UTC(2026, 10, 24, 12);
  const sli = { type: 'custom' as const, good_query: 'SELECT 1', total_query: 'SELECT 2' };
  const [row] = await windowCounts(t.store.client, 'mlwarden', { sli, groupBy: [], starts: [end - 60_000], end });
  expect(row?.counts).toEqual([{ good: 1, total: 2 }]);
  await t.store.client.command({ query: "INSERT INTO mlwarden.silences (id) VALUES ('after-custom-sli')" });
  expect(await t.rows("SELECT id FROM mlwarden.silences WHERE id = 'after-custom-sli'")).toEqual([{ id: 'after-custom-sli' }]);
  const [setting] = await t.rows<{ r: string }>("SELECT getSetting('readonly') AS r");
  expect(Number(setting?.r)).toBe(0);
});
