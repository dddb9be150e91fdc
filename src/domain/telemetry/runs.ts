import { z } from 'zod';
import { count, labels, optionalLabel, requiredLabel } from './fields.js';
import { timestamp } from './timestamp.js';

export const RUN_KINDS = ['pipeline', 'training', 'evaluation', 'step'] as const;
export const RUN_STATES = ['pending', 'running', 'succeeded', 'failed', 'canceled', 'skipped', 'paused', 'suspended'] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * Vendor state names (Kubeflow Pipelines v2beta1, Job conditions, MLflow) mapped to mlwarden's states,
 * so SLIs compare like with like whatever the source.
 */
const STATE_ALIASES: Record<string, RunState> = {
  pending: 'pending', scheduled: 'pending', queued: 'pending',
  running: 'running', canceling: 'running',
  succeeded: 'succeeded', complete: 'succeeded', completed: 'succeeded', finished: 'succeeded', successcriteriamet: 'succeeded',
  failed: 'failed', failure: 'failed', error: 'failed',
  canceled: 'canceled', cancelled: 'canceled', killed: 'canceled',
  skipped: 'skipped', paused: 'paused', suspended: 'suspended',
};

const state = z.string().transform((raw, ctx) => {
  const normalised = STATE_ALIASES[raw.toLowerCase()];
  if (normalised === undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown run state "${raw.slice(0, 40)}"; expected one of ${RUN_STATES.join(', ')}` });
    return z.NEVER;
  }
  return normalised;
});

export const runRecord = z
  .strictObject({
    ts: timestamp,
    run_id: requiredLabel,
    parent_run_id: optionalLabel,
    kind: z.enum(RUN_KINDS),
    pipeline: optionalLabel,
    namespace: optionalLabel,
    model: optionalLabel,
    version: optionalLabel,
    state,
    reason: optionalLabel,
    attempt: count.min(1).default(1),
    priority: z.number().int().min(-2_147_483_648).max(2_147_483_647).default(0),
    gpus: count.max(65_535).default(0),
    created_at: timestamp.nullable().default(null),
    started_at: timestamp.nullable().default(null),
    finished_at: timestamp.nullable().default(null),
    pending_ms: count.nullable().default(null),
    labels,
  })
  .transform((run, ctx) => {
    if (run.started_at !== null && run.created_at !== null && run.started_at < run.created_at) {
      ctx.addIssue({ code: 'custom', path: ['started_at'], message: 'is before created_at' });
    }
    if (run.finished_at !== null && run.started_at !== null && run.finished_at < run.started_at) {
      ctx.addIssue({ code: 'custom', path: ['finished_at'], message: 'is before started_at' });
    }
    const derivedPending = run.started_at !== null && run.created_at !== null ? run.started_at - run.created_at : null;
    return { ...run, pending_ms: run.pending_ms ?? derivedPending };
  });

export type RunRow = z.output<typeof runRecord>;
