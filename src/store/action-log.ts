import type { ClickHouseClient } from '@clickhouse/client';
import type { ActionKind, ActionRecord, RecordStatus } from '../domain/policy/index.js';
import { qualified } from './ddl.js';

/** One action as the audit trail keeps it; every change writes a new row, the latest `updated_at` wins. */
export interface ActionEntry {
  id: string;
  policy: string;
  kind: string;
  /** ActionTarget.key ("job/ns/name", "model/fraud"). */
  target: string;
  status: string;
  reason: string;
  cause: Record<string, unknown>;
  /** What the orchestration layer carries out (ActionPlan), as stored JSON. */
  plan: unknown;
  denied_by: string;
  outcome: '' | 'succeeded' | 'failed';
  victims: string[];
  /** Who approved or rejected it ('' when nobody did). */
  actor: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface ActionQuery {
  id?: string;
  statuses?: readonly string[];
  policy?: string;
  /** Actions created at or after this instant (epoch ms). */
  since?: number;
  limit?: number;
}

interface Row extends Omit<ActionEntry, 'cause' | 'plan' | 'created_at' | 'updated_at' | 'finished_at'> {
  cause: string;
  plan: string;
  created_ms: number;
  updated_ms: number;
  finished_ms: number | null;
}

export class ActionLog {
  private readonly table: string;

  constructor(private readonly client: ClickHouseClient, database: string) {
    this.table = qualified({ database }, 'actions');
  }

  async save(entries: readonly ActionEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // DateTime64(3) columns take integer milliseconds as they are.
    await this.client.insert({
      table: this.table,
      values: entries.map((e) => ({
        ...e,
        cause: JSON.stringify(e.cause),
        plan: JSON.stringify(e.plan ?? null),
      })),
      format: 'JSONEachRow',
    });
  }

  async get(id: string): Promise<ActionEntry | undefined> {
    return (await this.list({ id, limit: 1 }))[0];
  }

  /** The latest state of each matching action, newest first. */
  async list(query: ActionQuery = {}): Promise<ActionEntry[]> {
    const where: string[] = [];
    if (query.id !== undefined) where.push('id = {id:String}');
    if (query.statuses !== undefined) where.push('status IN {statuses:Array(String)}');
    if (query.policy !== undefined) where.push('policy = {policy:String}');
    if (query.since !== undefined) where.push('created_at >= fromUnixTimestamp64Milli({since:Int64})');
    const result = await this.client.query({
      query: `SELECT id, policy, kind, target, status, reason, cause, plan, denied_by, outcome, victims, actor,
  toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms,
  if(finished_at IS NULL, NULL, toUnixTimestamp64Milli(assumeNotNull(finished_at))) AS finished_ms
FROM ${this.table} FINAL
${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY created_at DESC, id
LIMIT {limit:UInt32}`,
      query_params: { id: query.id ?? '', statuses: query.statuses ?? [], policy: query.policy ?? '', since: query.since ?? 0, limit: query.limit ?? 10_000 },
      format: 'JSONEachRow',
    });
    return (await result.json<Row>()).map(entryOf);
  }
}

function entryOf({ cause, plan, created_ms, updated_ms, finished_ms, ...rest }: Row): ActionEntry {
  return {
    ...rest,
    cause: JSON.parse(cause) as Record<string, unknown>,
    plan: JSON.parse(plan === '' ? 'null' : plan) as unknown,
    created_at: Number(created_ms),
    updated_at: Number(updated_ms),
    finished_at: finished_ms === null ? null : Number(finished_ms),
  };
}

/** An action as the guardrails fold it (the domain's ActionRecord). */
export function actionRecordOf(entry: ActionEntry): ActionRecord {
  return {
    id: entry.id, policy: entry.policy, kind: entry.kind as ActionKind, target: entry.target, status: entry.status as RecordStatus, createdAt: entry.created_at,
    ...(entry.finished_at !== null ? { finishedAt: entry.finished_at } : {}),
    ...(entry.outcome !== '' ? { outcome: entry.outcome } : {}),
    ...(entry.victims.length > 0 ? { victims: entry.victims } : {}),
  };
}
