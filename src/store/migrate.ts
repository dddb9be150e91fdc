import type { ClickHouseClient } from '@clickhouse/client';
import { createDatabase, createTable, qualified, storageTableName, ttlExpression, type DdlContext } from './ddl.js';
import { MIGRATIONS, LATEST_SCHEMA_VERSION, type Migration } from './migrations.js';
import { DRIFT_SCORES, REQUESTS_1M, SCHEMA_MIGRATIONS, TELEMETRY_TABLES, type TableSpec } from './tables.js';

export interface MigrationReport {
  applied: Array<{ version: number; name: string }>;
  current: number;
}

export async function appliedVersions(client: ClickHouseClient, ctx: DdlContext): Promise<number[]> {
  const result = await client.query({
    query: `SELECT DISTINCT version FROM ${qualified(ctx, SCHEMA_MIGRATIONS.name)} ORDER BY version`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number }>();
  return rows.map((r) => Number(r.version));
}

async function apply(client: ClickHouseClient, migration: Migration, ctx: DdlContext): Promise<void> {
  for (const statement of migration.statements(ctx)) await client.command({ query: statement });
  await client.insert({
    table: qualified(ctx, SCHEMA_MIGRATIONS.name),
    values: [{ version: migration.version, name: migration.name, applied_at: Date.now() }],
    format: 'JSONEachRow',
  });
}

/** Brings retention TTLs in line with the configured days; cheap when nothing changed. */
async function ensureRetention(client: ClickHouseClient, ctx: DdlContext): Promise<void> {
  const tables: TableSpec[] = [...Object.values(TELEMETRY_TABLES), REQUESTS_1M, DRIFT_SCORES];
  for (const spec of tables) {
    const ttl = ttlExpression(spec, ctx.retentionDays);
    if (!ttl) continue;
    const local = storageTableName(ctx, spec.name);
    const result = await client.query({
      query: 'SELECT create_table_query AS ddl FROM system.tables WHERE database = {db:String} AND name = {name:String}',
      query_params: { db: ctx.database, name: local },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ ddl: string }>();
    if (!row || row.ddl.includes(`toIntervalDay(${Math.trunc(ctx.retentionDays)})`)) continue;
    const cluster = ctx.cluster ? ` ON CLUSTER \`${ctx.cluster}\`` : '';
    // A SETTINGS clause, not clickhouse_settings: chDB would apply the latter to the whole session.
    await client.command({ query: `ALTER TABLE ${qualified(ctx, local)}${cluster} MODIFY TTL ${ttl} SETTINGS materialize_ttl_after_modify = 0` });
  }
}

/** The oldest ClickHouse mlwarden's SQL runs on (query parameters, DateTime64, Map, LowCardinality, TTL, ...). */
export const MINIMUM_CLICKHOUSE = [23, 8] as const;

/** Refuses a server too old for mlwarden's SQL with a message that says so, rather than failing on some query later. */
export async function checkServerVersion(client: ClickHouseClient): Promise<string> {
  const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const [row] = await result.json<{ v: string }>();
  const version = row?.v ?? '0';
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < MINIMUM_CLICKHOUSE[0] || (major === MINIMUM_CLICKHOUSE[0] && minor < MINIMUM_CLICKHOUSE[1])) {
    throw new Error(`ClickHouse ${version} is too old: mlwarden needs ${MINIMUM_CLICKHOUSE.join('.')} or newer`);
  }
  return version;
}

/** Applies every migration not yet recorded, in version order. Safe to run any number of times. */
export async function migrate(client: ClickHouseClient, ctx: DdlContext): Promise<MigrationReport> {
  await checkServerVersion(client);
  await client.command({ query: createDatabase(ctx) });
  for (const statement of createTable(SCHEMA_MIGRATIONS, ctx)) await client.command({ query: statement });
  const done = new Set(await appliedVersions(client, ctx));
  const applied: MigrationReport['applied'] = [];
  for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    await apply(client, migration, ctx);
    applied.push({ version: migration.version, name: migration.name });
  }
  await ensureRetention(client, ctx);
  return { applied, current: LATEST_SCHEMA_VERSION };
}

/** True when every known migration is recorded as applied (what /readyz checks). */
export async function schemaIsCurrent(client: ClickHouseClient, ctx: DdlContext): Promise<boolean> {
  const versions = new Set(await appliedVersions(client, ctx));
  return MIGRATIONS.every((m) => versions.has(m.version));
}
