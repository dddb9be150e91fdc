import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './ddl.js';

export interface JobUtilizationMinute {
  namespace: string;
  job: string;
  /** Minute start, ms since the epoch. */
  minute: number;
  /** Mean utilisation 0..1 over the job's GPUs in that minute. */
  utilization: number;
}

/** Per-minute mean GPU utilisation of each job (samples labelled with a job) between `from` and `to`. */
export async function gpuUtilizationByJob(client: ClickHouseClient, database: string, from: number, to: number): Promise<JobUtilizationMinute[]> {
  const result = await client.query({
    query: `SELECT namespace, job, toUnixTimestamp64Milli(toDateTime64(toStartOfMinute(ts), 3)) AS minute, avg(util_pct) / 100 AS utilization
FROM ${qualified({ database }, 'gpu_samples')}
WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND job != ''
GROUP BY namespace, job, minute
ORDER BY namespace, job, minute`,
    query_params: { from, to },
    format: 'JSONEachRow',
  });
  return (await result.json<JobUtilizationMinute>()).map((r) => ({ ...r, minute: Number(r.minute), utilization: Number(r.utilization) }));
}
