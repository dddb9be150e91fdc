/**
 * The demo scenario: the platform (served models, GPU pool, jobs, pipelines) and the failures that
 * happen to it at times relative to the start of the live part. Read from YAML and validated with
 * zod; a bad file is refused with every problem named by its field path.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { MlwardenError } from '../../domain/errors.js';
import { parseDuration } from '../../domain/slo/index.js';

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 90s, 5m, 2h or 3d` });
  return ms ?? 0;
});
const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)');
const rate = z.number().min(0).max(1);

const versionProfile = z.strictObject({
  latency_ms: z.strictObject({ p50: z.number().positive(), p99: z.number().positive() }).refine((l) => l.p99 > l.p50, { message: 'p99 must be above p50' }),
  error_rate: rate.default(0),
});

const numericFeature = z.strictObject({ mean: z.number(), sd: z.number().positive() });
const categoricalFeature = z.strictObject({ categories: z.record(z.string(), z.number().positive()).refine((c) => Object.keys(c).length >= 2, { message: 'needs at least two categories' }) });
const feature = z.union([numericFeature, categoricalFeature], { error: 'a feature is { mean, sd } (numeric) or { categories: { name: weight } }' });

const model = z.strictObject({
  name,
  namespace: name.default('serving'),
  serving: z.enum(['kserve', 'deployment']),
  requests_per_minute: z.number().positive(),
  version: z.string().min(1),
  versions: z.record(z.string(), versionProfile),
  features: z.record(z.string(), feature).default({}),
  observations_per_minute: z.number().int().min(0).default(30),
});

const gpuProfile = z.enum(['steady', 'stalls', 'idle']);
const job = z.strictObject({
  name,
  namespace: name.default('training'),
  priority: z.string().min(1),
  gpus: z.number().int().min(1),
  run: duration.optional(),
  gpu_profile: gpuProfile.default('steady'),
  checkpoint_every: duration.optional(),
  fail_attempts: z.number().int().min(0).default(0),
  fail_reason: z.string().min(1).default('OOMKilled'),
  fail_after: duration.default(60_000),
});

const pipeline = z.strictObject({
  name,
  namespace: name.default('pipelines'),
  every: duration,
  duration,
  failure_rate: rate.default(0),
});

const EVENT_KINDS = ['rollout', 'drift', 'submit_job', 'pipeline_failing'] as const;
const EVENT_SHAPE = 'an event is { at, rollout | drift | submit_job | pipeline_failing }';

// One object with optional kinds (not a union), so a problem inside an event is reported at its own field.
const event = z
  .strictObject(
    {
      at: duration,
      rollout: z.strictObject({ model: name, version: z.string().min(1) }).optional(),
      drift: z.strictObject({ model: name, feature: z.string().min(1), to: feature }).optional(),
      submit_job: job.optional(),
      pipeline_failing: z.strictObject({ pipeline: name, failure_rate: rate, reason: z.string().min(1).default('step failed') }).optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}: ${EVENT_SHAPE}` : undefined) },
  )
  .superRefine((e, ctx) => {
    const kinds = EVENT_KINDS.filter((k) => e[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `${EVENT_SHAPE}; this one has ${kinds.length === 0 ? 'none' : kinds.join(' and ')}` });
  });

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal('mlwarden.dev/v1'),
    kind: z.literal('DemoScenario'),
    seed: z.number().int().default(1),
    backfill: duration.default(3 * 86_400_000),
    gpu_pool: z.strictObject({ gpus: z.number().int().min(1), nodes: z.number().int().min(1).default(1) }),
    priority_classes: z.record(z.string(), z.number().int()).default({}),
    models: z.array(model).min(1),
    jobs: z.array(job).default([]),
    pipelines: z.array(pipeline).default([]),
    events: z.array(event).default([]),
  })
  .superRefine((s, ctx) => {
    for (const [i, m] of s.models.entries()) {
      if (!(m.version in m.versions)) ctx.addIssue({ code: 'custom', path: ['models', i, 'version'], message: `"${m.version}" is not one of its versions (${Object.keys(m.versions).join(', ')})` });
    }
    for (const [i, j] of s.jobs.entries()) checkPriority(s.priority_classes, j.priority, ['jobs', i, 'priority'], ctx);
    for (const [i, e] of s.events.entries()) checkEvent(s, e, ['events', i], ctx);
  });

type Ctx = z.RefinementCtx;
type Draft = z.output<typeof scenarioSchema>;

function checkPriority(classes: Record<string, number>, priority: string, path: PropertyKey[], ctx: Ctx): void {
  if (!(priority in classes)) ctx.addIssue({ code: 'custom', path, message: `"${priority}" is not a priority class (${Object.keys(classes).join(', ') || 'none declared'})` });
}

function checkEvent(s: Draft, e: ScenarioEvent, path: PropertyKey[], ctx: Ctx): void {
  const modelOf = (m: string, field: PropertyKey[]) => {
    const found = s.models.find((x) => x.name === m);
    if (!found) ctx.addIssue({ code: 'custom', path: [...path, ...field], message: `"${m}" is not a model of this scenario` });
    return found;
  };
  if (e.rollout) {
    const m = modelOf(e.rollout.model, ['rollout', 'model']);
    if (m && !(e.rollout.version in m.versions)) ctx.addIssue({ code: 'custom', path: [...path, 'rollout', 'version'], message: `"${e.rollout.version}" is not a version of model ${m.name}` });
  }
  if (e.drift) {
    const m = modelOf(e.drift.model, ['drift', 'model']);
    if (m && !(e.drift.feature in m.features)) ctx.addIssue({ code: 'custom', path: [...path, 'drift', 'feature'], message: `"${e.drift.feature}" is not a feature of model ${m.name}` });
  }
  if (e.submit_job) checkPriority(s.priority_classes, e.submit_job.priority, [...path, 'submit_job', 'priority'], ctx);
  const failing = e.pipeline_failing;
  if (failing && !s.pipelines.some((p) => p.name === failing.pipeline)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'pipeline_failing', 'pipeline'], message: `"${failing.pipeline}" is not a pipeline of this scenario` });
  }
}

export type Scenario = z.output<typeof scenarioSchema>;
export type ServedModel = z.output<typeof model>;
export type VersionProfile = z.output<typeof versionProfile>;
export type FeatureProfile = z.output<typeof feature>;
export type JobSpec = z.output<typeof job>;
export type PipelineSpec = z.output<typeof pipeline>;
export type ScenarioEvent = z.output<typeof event>;
export type GpuProfile = z.output<typeof gpuProfile>;

/** Parses scenario YAML; `source` names the file in errors. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new MlwardenError('invalid', `${source} is not valid YAML: ${(error as Error).message}`);
  }
  const result = scenarioSchema.safeParse(raw);
  if (result.success) return { ...result.data, events: [...result.data.events].sort((a, b) => a.at - b.at) };
  const problems = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', reason: issue.message }));
  throw new MlwardenError('invalid', `${source} is invalid: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`, { problems });
}

export function readScenario(path: string): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), path);
}
