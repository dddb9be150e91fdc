import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaIsCurrent } from '../../src/store/index.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore({ migrate: false, retentionDays: 30 });
});
afterAll(() => t.close());

describe('migrations on the real engine (chDB)', () => {
  test('a fresh store gets every migration, in order, recorded in schema_migrations', async () => {
    expect(await schemaIsCurrent(t.store.client, t.ctx).catch(() => false)).toBe(false);
    const report = await migrate(t.store.client, t.ctx);
    expect(report.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(report.current).toBe(LATEST_SCHEMA_VERSION);
    expect(await schemaIsCurrent(t.store.client, t.ctx)).toBe(true);
  });

  test('running migrations twice applies nothing and leaves one record per version', async () => {
    const second = await migrate(t.store.client, t.ctx);
    expect(second.applied).toEqual([]);
    const rows = await t.rows<{ version: number; n: number }>('SELECT version, count() AS n FROM mlwarden.schema_migrations FINAL GROUP BY version ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, n: 1 })));
  });

  test('the telemetry tables are day-partitioned with a TTL, and the request rollup is an AggregatingMergeTree', async () => {
    const tables = await t.rows<{ name: string; engine: string; partition_key: string; ddl: string }>(
      "SELECT name, engine, partition_key, create_table_query AS ddl FROM system.tables WHERE database = 'mlwarden' ORDER BY name",
    );
    const byName = Object.fromEntries(tables.map((r) => [r.name, r]));
    for (const name of ['runs', 'gpu_samples', 'requests', 'feature_values']) {
      expect(byName[name]?.partition_key).toBe('toDate(ts)');
      expect(byName[name]?.ddl).toContain('TTL toDateTime(ts) + toIntervalDay(30)');
      expect(byName[name]?.ddl).toContain('LowCardinality(String)');
    }
    expect(byName.requests_1m?.engine).toBe('AggregatingMergeTree');
    expect(byName.requests_1m_mv?.engine).toBe('MaterializedView');
    expect(byName.actions?.engine).toBe('ReplacingMergeTree');
  });

  test('a changed retention is applied to existing tables on the next migrate', async () => {
    await migrate(t.store.client, { ...t.ctx, retentionDays: 90 });
    const [row] = await t.rows<{ ddl: string }>("SELECT create_table_query AS ddl FROM system.tables WHERE database = 'mlwarden' AND name = 'requests'");
    expect(row?.ddl).toContain('toIntervalDay(90)');
  });
});
