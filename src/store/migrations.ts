import { addColumns, createDatabase, createMaterializedView, createTable, type DdlContext } from './ddl.js';
import { ACTION_DETAIL_COLUMNS, ACTIONS, ALERT_EVENTS, BASELINES, DRIFT_SCORES, FEATURE_VALUES, GPU_SAMPLES, REQUESTS, REQUESTS_1M, RUNS, SILENCES } from './tables.js';

/** A schema step. Statements are idempotent (IF NOT EXISTS) so a half-applied migration can be re-run. */
export interface Migration {
  version: number;
  name: string;
  statements(ctx: DdlContext): string[];
}

const requestsPerMinute = (from: string): string =>
  [
    'SELECT toStartOfMinute(ts) AS minute, model, version, endpoint, namespace,',
    '  sum(count) AS count, sum(errors) AS errors, sum(latency_sum_ms) AS latency_sum_ms,',
    '  quantilesTDigestStateIf(0.5, 0.95, 0.99)(assumeNotNull(latency_ms), isNotNull(latency_ms)) AS latency_quantiles',
    `FROM ${from}`,
    'GROUP BY minute, model, version, endpoint, namespace',
  ].join('\n');

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'telemetry tables and actions audit',
    statements: (ctx) => [RUNS, GPU_SAMPLES, REQUESTS, FEATURE_VALUES, ACTIONS].flatMap((t) => createTable(t, ctx)),
  },
  {
    version: 2,
    name: 'per-minute request rollup',
    statements: (ctx) => [
      ...createTable(REQUESTS_1M, ctx),
      createMaterializedView('requests_1m_mv', REQUESTS_1M.name, REQUESTS.name, requestsPerMinute, ctx),
    ],
  },
  {
    version: 3,
    name: 'drift scores, alert history and silences',
    statements: (ctx) => [DRIFT_SCORES, ALERT_EVENTS, SILENCES].flatMap((t) => createTable(t, ctx)),
  },
  {
    version: 4,
    name: 'drift baselines',
    statements: (ctx) => createTable(BASELINES, ctx),
  },
  {
    version: 5,
    name: 'actions: plan, denial, outcome, victims and approver',
    statements: (ctx) => addColumns(ACTIONS, ACTION_DETAIL_COLUMNS, ctx),
  },
];

export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

export { createDatabase };
