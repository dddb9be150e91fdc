import { z } from 'zod';

/**
 * SLI kinds: each is good events / valid events, computed from the telemetry store (SQL in src/store)
 * except `prometheus`, whose SLI lives in Prometheus and becomes recording rules (mlwarden rules).
 * Sources: Kubeflow SLIs M1–M12 and Kubeflow Pipelines SLIs M1–M10 (../shared/seeds).
 */
const name = z.string().min(1).max(256);
const requestFilters = { model: name.optional(), version: name.optional(), endpoint: name.optional(), namespace: name.optional() };
const runFilters = { pipeline: name.optional(), namespace: name.optional(), model: name.optional() };
const positive = z.number().positive();

export const sliSchema = z.discriminatedUnion('type', [
  /** Kubeflow M1: non-error responses / responses (5xx, or ok:false, are errors). */
  z.strictObject({ type: z.literal('availability'), ...requestFilters }),
  /** Kubeflow M2: responses at or under threshold_ms / responses; P50/P95/P99 reported beside it. */
  z.strictObject({ type: z.literal('latency'), threshold_ms: positive, ...requestFilters }),
  /** Pipelines M1 / Kubeflow M3: pipeline runs that succeeded / pipeline runs that finished. */
  z.strictObject({ type: z.literal('pipeline_success'), ...runFilters }),
  /** Kubeflow M4: training jobs that completed / training jobs that finished. */
  z.strictObject({ type: z.literal('training_completion'), ...runFilters }),
  /** Pipelines M8: evaluation runs that passed / evaluation runs that finished. */
  z.strictObject({ type: z.literal('validation_pass'), ...runFilters }),
  /** Pipelines M9 (retry rate, inverted): finished runs that succeeded on their first attempt / finished runs. */
  z.strictObject({ type: z.literal('first_attempt_success'), run_kind: z.enum(['pipeline', 'training', 'evaluation', 'step']).default('step'), ...runFilters }),
  /** Pipelines M3 / Kubeflow M5: artifact-upload steps that succeeded / that finished (steps labelled step_type). */
  z.strictObject({ type: z.literal('artifact_upload'), step_type: name.default('artifact-upload'), ...runFilters }),
  /** Pipelines M4: runs whose pending time (created → started) was at most threshold_s / runs that started. */
  z.strictObject({ type: z.literal('scheduling'), threshold_s: positive, run_kind: z.enum(['pipeline', 'training', 'evaluation', 'step']).optional(), ...runFilters }),
  /** Kubeflow M6: minutes in which the newest data for the model was at most threshold_s old / minutes. */
  z.strictObject({ type: z.literal('freshness'), threshold_s: positive, source: z.enum(['features', 'requests']).default('features'), model: name }),
  /** Kubeflow M8 / Pipelines M5: allocated GPU-minutes with utilisation at or above threshold_pct / allocated GPU-minutes. */
  z.strictObject({ type: z.literal('gpu_efficiency'), threshold_pct: z.number().min(0).max(100), namespace: name.optional(), job: name.optional(), node: name.optional() }),
  /** Kubeflow M7 / Pipelines M10: feature-windows whose PSI stayed under its threshold / feature-windows with enough data. */
  z.strictObject({ type: z.literal('drift'), model: name, version: name.optional(), features: z.array(name).optional() }),
  /** An admin-written ratio: two read-only SQL queries returning one number each, with {from:DateTime64(3)} and {to:DateTime64(3)} bound. */
  z.strictObject({ type: z.literal('custom'), good_query: z.string().min(1), total_query: z.string().min(1) }),
  /** An SLI that lives in Prometheus: PromQL with {{.window}}; give error_query or good_query, and total_query. */
  z
    .strictObject({ type: z.literal('prometheus'), error_query: z.string().min(1).optional(), good_query: z.string().min(1).optional(), total_query: z.string().min(1) })
    .refine((s) => (s.error_query === undefined) !== (s.good_query === undefined), { message: 'give exactly one of error_query and good_query', path: ['error_query'] }),
]);

export type Sli = z.output<typeof sliSchema>;
export type SliType = Sli['type'];
export type SliOf<T extends SliType> = Extract<Sli, { type: T }>;

/** Labels each SLI kind can group by (columns of the table it reads). */
export const GROUPABLE: Record<SliType, readonly string[]> = {
  availability: ['model', 'version', 'endpoint', 'namespace'],
  latency: ['model', 'version', 'endpoint', 'namespace'],
  pipeline_success: ['pipeline', 'namespace', 'model', 'version'],
  training_completion: ['pipeline', 'namespace', 'model', 'version'],
  validation_pass: ['pipeline', 'namespace', 'model', 'version'],
  first_attempt_success: ['pipeline', 'namespace', 'model', 'version'],
  artifact_upload: ['pipeline', 'namespace', 'model', 'version'],
  scheduling: ['pipeline', 'namespace', 'model', 'version', 'kind'],
  freshness: [],
  gpu_efficiency: ['namespace', 'node', 'job', 'gpu_model'],
  drift: ['version', 'feature'],
  custom: [],
  prometheus: [],
};

/** Whether mlwarden evaluates the SLI itself (from ClickHouse) or only generates Prometheus rules for it. */
export const isStoreSli = (sli: Sli): boolean => sli.type !== 'prometheus';
