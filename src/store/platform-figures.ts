import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './ddl.js';

/**
 * Figures that are not SLO ratios (Kubeflow M9, M10; Pipelines M2, M7): GPU-hours for cost, MTTR from
 * alert history, median run duration. Each query is bounded to `limit` groups.
 */
export interface GpuHours {
  namespace: string;
  job: string;
  gpu_model: string;
  gpu_hours: number;
}

export interface ModelRequests {
  model: string;
  requests: number;
}

export interface RecoveryTime {
  slo: string;
  incidents: number;
  mean_seconds: number;
}

export interface RunDuration {
  pipeline: string;
  runs: number;
  median_seconds: number;
}

const RANGE = 'ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})';

export class PlatformFigures {
  constructor(private readonly client: ClickHouseClient, private readonly database: string, private readonly limit = 200) {}

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params: { ...params, limit: this.limit }, format: 'JSONEachRow' });
    return result.json<T>();
  }

  /** Allocated GPU-hours (a GPU-minute counts when a pod ran on it) per namespace, job and GPU model. */
  gpuHours(from: number, to: number): Promise<GpuHours[]> {
    return this.rows<GpuHours>(
      `SELECT namespace, job, gpu_model, count() / 60 AS gpu_hours FROM (
  SELECT toStartOfMinute(ts) AS minute, gpu_uuid, any(namespace) AS namespace, any(job) AS job, any(gpu_model) AS gpu_model
  FROM ${qualified({ database: this.database }, 'gpu_samples')}
  WHERE ${RANGE} AND pod != ''
  GROUP BY minute, gpu_uuid)
GROUP BY namespace, job, gpu_model ORDER BY gpu_hours DESC LIMIT {limit:UInt32}`,
      { from, to },
    );
  }

  requestsPerModel(from: number, to: number): Promise<ModelRequests[]> {
    return this.rows<ModelRequests>(
      `SELECT model, toFloat64(sum(count)) AS requests FROM ${qualified({ database: this.database }, 'requests_1m')}
WHERE minute >= toStartOfMinute(fromUnixTimestamp64Milli({from:Int64})) AND minute < fromUnixTimestamp64Milli({to:Int64})
GROUP BY model ORDER BY requests DESC LIMIT {limit:UInt32}`,
      { from, to },
    );
  }

  /** Mean time from an alert firing to its resolution, for alerts resolved in [from, to). */
  recoveryTimes(from: number, to: number): Promise<RecoveryTime[]> {
    return this.rows<RecoveryTime>(
      `SELECT slo, toFloat64(count()) AS incidents, avg(dateDiff('millisecond', firing_since, since)) / 1000 AS mean_seconds
FROM ${qualified({ database: this.database }, 'alert_events')}
WHERE ${RANGE} AND state = 'resolved' AND firing_since IS NOT NULL
GROUP BY slo ORDER BY slo LIMIT {limit:UInt32}`,
      { from, to },
    );
  }

  /** Median duration (started → finished) of pipeline runs that succeeded in [from, to). */
  runDurations(from: number, to: number): Promise<RunDuration[]> {
    return this.rows<RunDuration>(
      `SELECT pipeline, toFloat64(count()) AS runs, quantileExact(0.5)(seconds) AS median_seconds FROM (
  SELECT run_id, any(pipeline) AS pipeline, dateDiff('millisecond', min(started_at), max(finished_at)) / 1000 AS seconds
  FROM ${qualified({ database: this.database }, 'runs')}
  WHERE ${RANGE} AND kind = 'pipeline' AND state = 'succeeded' AND started_at IS NOT NULL AND finished_at IS NOT NULL
  GROUP BY run_id)
GROUP BY pipeline ORDER BY pipeline LIMIT {limit:UInt32}`,
      { from, to },
    );
  }
}
