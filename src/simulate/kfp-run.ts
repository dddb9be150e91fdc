/** KFP v2beta1 runtime states (backend/api/v2beta1/run.proto RuntimeState). */
export type KfpRunState =
  | 'RUNTIME_STATE_UNSPECIFIED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'SKIPPED'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED'
  | 'PAUSED';

export interface KfpStatus {
  code: number;
  message: string;
  details: unknown[];
}

/** A run as the v2beta1 REST API serialises it (proto field names, RFC 3339 times). */
export interface KfpRun {
  experiment_id: string;
  run_id: string;
  display_name: string;
  description?: string;
  storage_state: 'AVAILABLE' | 'ARCHIVED';
  pipeline_version_reference: { pipeline_id: string; pipeline_version_id: string };
  runtime_config: { parameters?: Record<string, unknown>; pipeline_root?: string };
  service_account?: string;
  created_at: string;
  scheduled_at: string;
  /** The zero time (1970-01-01T00:00:00Z) until the run ends, as KFP reports it. */
  finished_at: string;
  state: KfpRunState;
  error?: KfpStatus;
  state_history: Array<{ update_time: string; state: KfpRunState; error?: KfpStatus }>;
}

export const TERMINAL_STATES: ReadonlySet<KfpRunState> = new Set(['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED']);

export const ZERO_TIME = '1970-01-01T00:00:00Z';

/** RFC 3339 at second precision, as KFP's timestamps serialise. */
export const kfpTimestamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
