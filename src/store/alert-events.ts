import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './ddl.js';

/** One alert state change, as alert history keeps it (and MTTR reads it). Times are epoch ms. */
export interface AlertEventRecord {
  ts: number;
  slo: string;
  severity: string;
  alertname: string;
  dedupe_key: string;
  group_labels: Record<string, string>;
  state: string;
  tier: string;
  since: number;
  firing_since: number | null;
  long_burn: number | null;
  short_burn: number | null;
}

const SELECT = `SELECT toUnixTimestamp64Milli(ts) AS ts, slo, severity, alertname, dedupe_key, group_labels, state, tier,
  toUnixTimestamp64Milli(since) AS since, toUnixTimestamp64Milli(firing_since) AS firing_since, long_burn, short_burn`;

export class AlertHistory {
  constructor(private readonly client: ClickHouseClient, private readonly database: string) {}

  private get table(): string {
    return qualified({ database: this.database }, 'alert_events');
  }

  async record(events: AlertEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.client.insert({ table: this.table, values: events, format: 'JSONEachRow' });
  }

  /** The latest state of every alert, so a restarted process resumes where it stopped. */
  async latestStates(): Promise<AlertEventRecord[]> {
    const result = await this.client.query({
      query: `${SELECT} FROM ${this.table} ORDER BY ts DESC LIMIT 1 BY dedupe_key`,
      format: 'JSONEachRow',
    });
    return result.json<AlertEventRecord>();
  }

  async forSlo(slo: string, limit: number): Promise<AlertEventRecord[]> {
    const result = await this.client.query({
      query: `${SELECT} FROM ${this.table} WHERE slo = {slo:String} ORDER BY ts DESC LIMIT {limit:UInt32}`,
      query_params: { slo, limit },
      format: 'JSONEachRow',
    });
    return result.json<AlertEventRecord>();
  }
}
