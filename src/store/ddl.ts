import type { ColumnSpec, EngineSpec, TableSpec } from './tables.js';

/** Where and how DDL is rendered: one node, or a cluster with Replicated tables behind Distributed ones. */
export interface DdlContext {
  database: string;
  cluster?: string | undefined;
  retentionDays: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quotes an identifier that comes from code or validated config, never from request input. */
export function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a valid ClickHouse identifier`);
  return `\`${name}\``;
}

export function qualified(ctx: Pick<DdlContext, 'database'>, table: string): string {
  return `${ident(ctx.database)}.${ident(table)}`;
}

function onCluster(ctx: DdlContext): string {
  return ctx.cluster ? ` ON CLUSTER ${ident(ctx.cluster)}` : '';
}

/** In cluster mode data lives in `<name>_local` on every shard and `<name>` is the Distributed table over it. */
export function storageTableName(ctx: DdlContext, table: string): string {
  return ctx.cluster ? `${table}_local` : table;
}

function engineClause(engine: EngineSpec, ctx: DdlContext, table: string): string {
  const args = engine.kind === 'ReplacingMergeTree' ? [ident(engine.version)] : [];
  if (!ctx.cluster) return `${engine.kind}(${args.join(', ')})`;
  const zkPath = `'/clickhouse/tables/{shard}/${ctx.database}/${table}'`;
  return `Replicated${engine.kind}(${[zkPath, "'{replica}'", ...args].join(', ')})`;
}

export function ttlExpression(spec: TableSpec, retentionDays: number): string | undefined {
  if (!spec.ttlColumn) return undefined;
  return `toDateTime(${ident(spec.ttlColumn)}) + toIntervalDay(${Math.trunc(retentionDays)})`;
}

function columnLine(c: ColumnSpec): string {
  const materialized = c.materialized ? ` MATERIALIZED ${c.materialized}` : '';
  const codec = c.codec ? ` CODEC(${c.codec})` : '';
  return `${ident(c.name)} ${c.type}${materialized}${codec}`;
}

function columnLines(spec: TableSpec): string[] {
  return [...spec.columns.map((c) => `  ${columnLine(c)}`), ...(spec.indexes ?? []).map((i) => `  ${i}`)];
}

/** CREATE TABLE statements for one table spec: one on a single node, two (local + Distributed) on a cluster. */
export function createTable(spec: TableSpec, ctx: DdlContext): string[] {
  const local = storageTableName(ctx, spec.name);
  const ttl = ttlExpression(spec, ctx.retentionDays);
  const create = [
    `CREATE TABLE IF NOT EXISTS ${qualified(ctx, local)}${onCluster(ctx)}`,
    '(',
    columnLines(spec).join(',\n'),
    ')',
    `ENGINE = ${engineClause(spec.engine, ctx, local)}`,
    ...(spec.partitionBy ? [`PARTITION BY ${spec.partitionBy}`] : []),
    `ORDER BY (${spec.orderBy.map(ident).join(', ')})`,
    ...(ttl ? [`TTL ${ttl}`] : []),
  ].join('\n');
  if (!ctx.cluster) return [create];
  const sharding = spec.shardingKey ?? 'rand()';
  const distributed =
    `CREATE TABLE IF NOT EXISTS ${qualified(ctx, spec.name)}${onCluster(ctx)} AS ${qualified(ctx, local)}\n` +
    `ENGINE = Distributed(${ident(ctx.cluster)}, ${ident(ctx.database)}, ${ident(local)}, ${sharding})`;
  return [create, distributed];
}

/** ALTER statements adding columns to an existing table (the local and the Distributed one on a cluster). */
export function addColumns(spec: TableSpec, columns: readonly ColumnSpec[], ctx: DdlContext): string[] {
  const adds = columns.map((c) => `ADD COLUMN IF NOT EXISTS ${columnLine(c)}`).join(', ');
  const tables = ctx.cluster ? [storageTableName(ctx, spec.name), spec.name] : [spec.name];
  return tables.map((t) => `ALTER TABLE ${qualified(ctx, t)}${onCluster(ctx)} ${adds}`);
}

export function createDatabase(ctx: DdlContext): string {
  return `CREATE DATABASE IF NOT EXISTS ${ident(ctx.database)}${onCluster(ctx)}`;
}

/**
 * A materialized view feeding a rollup. On a cluster it reads and writes the shard-local tables,
 * so each shard rolls up its own rows.
 */
export function createMaterializedView(name: string, target: string, source: string, select: (from: string) => string, ctx: DdlContext): string {
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(ctx, name)}${onCluster(ctx)}`,
    `TO ${qualified(ctx, storageTableName(ctx, target))}`,
    `AS ${select(qualified(ctx, storageTableName(ctx, source)))}`,
  ].join('\n');
}
