import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createTable, ident, MIGRATIONS, createDatabase, type DdlContext } from '../../src/store/index.js';
import { TELEMETRY_TABLES } from '../../src/store/index.js';

const GOLDEN = join(import.meta.dirname, '../fixtures/ddl');
const cluster: DdlContext = { database: 'mlwarden', cluster: 'ml_cluster', retentionDays: 30 };
const single: DdlContext = { database: 'mlwarden', retentionDays: 30 };

function allStatements(ctx: DdlContext): string {
  return [createDatabase(ctx), ...MIGRATIONS.flatMap((m) => m.statements(ctx))].join(';\n\n') + ';\n';
}

/** Golden files: UPDATE_GOLDEN=1 npx vitest run test/store/ddl.test.ts rewrites them after a deliberate change. */
function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('DDL rendering', () => {
  test('single-node DDL matches the golden file', () => expectGolden('single-node.sql', allStatements(single)));

  test('cluster DDL matches the golden file', () => expectGolden('cluster.sql', allStatements(cluster)));

  test('cluster mode puts data in Replicated local tables behind Distributed tables, all ON CLUSTER', () => {
    const [local, distributed] = createTable(TELEMETRY_TABLES.requests, cluster);
    expect(local).toContain('CREATE TABLE IF NOT EXISTS `mlwarden`.`requests_local` ON CLUSTER `ml_cluster`');
    expect(local).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/mlwarden/requests_local', '{replica}')");
    expect(distributed).toContain('CREATE TABLE IF NOT EXISTS `mlwarden`.`requests` ON CLUSTER `ml_cluster` AS `mlwarden`.`requests_local`');
    expect(distributed).toContain('ENGINE = Distributed(`ml_cluster`, `mlwarden`, `requests_local`, rand())');
  });

  test('the rollup view reads and writes shard-local tables on a cluster', () => {
    const view = MIGRATIONS.flatMap((m) => m.statements(cluster)).find((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(view).toContain('TO `mlwarden`.`requests_1m_local`');
    expect(view).toContain('FROM `mlwarden`.`requests_local`');
  });

  test('a replacing table keeps its version column when replicated', () => {
    const [local] = createTable({ ...TELEMETRY_TABLES.runs, engine: { kind: 'ReplacingMergeTree', version: 'ts' } }, cluster);
    expect(local).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/mlwarden/runs_local', '{replica}', `ts`)");
  });

  test.each(['a-b', 'x; DROP TABLE y', '1abc', '`q`', ''])('the identifier %j is refused', (name) => {
    expect(() => ident(name)).toThrow(/not a valid ClickHouse identifier/);
  });
});

describe('cluster DDL is valid ClickHouse SQL', () => {
  test('every cluster statement parses in the real engine (formatQuery), though no cluster runs here', async () => {
    const { openTestStore } = await import('../support/test-store.js');
    const t = await openTestStore({ migrate: false });
    try {
      for (const statement of [createDatabase(cluster), ...MIGRATIONS.flatMap((m) => m.statements(cluster))]) {
        const [row] = await t.rows<{ f: string }>('SELECT formatQuery({q:String}) AS f', { q: statement });
        expect(row?.f).toMatch(/ON CLUSTER ml_cluster/);
      }
    } finally {
      await t.close();
    }
  });
});
