/**
 * The fleet in motion: every simulated minute, the requests each model served (by the version the
 * cluster says is serving), the features it saw, the GPU utilisation of the running jobs and the
 * pipeline runs that ended — sent through a TelemetrySink, the ingest path real collectors use.
 * Scenario events happen when the simulated clock reaches them.
 */
import type { TelemetryKind, TelemetrySink } from '../../../collectors/index.js';
import { featureObservations } from './feature-stream.js';
import type { FleetCluster } from './fleet-cluster.js';
import { gpuSamples, runningGpuJobs } from './gpu-telemetry.js';
import { finishedRuns, type PipelineState } from './pipeline-runs.js';
import type { FeatureProfile, Scenario, ScenarioEvent } from './scenario.js';
import { SeededRandom } from './seeded-random.js';
import { requestBatch } from './traffic.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SEND_CHUNK = 5_000;
const BACKFILL_STEP_HOURS = 6;

export type Batch = Record<TelemetryKind, Array<Record<string, unknown>>>;
const emptyBatch = (): Batch => ({ requests: [], features: [], gpu: [], runs: [] });

/** A scenario event as the demo narrates it. */
export interface FleetEvent {
  at: number;
  text: string;
}

export interface FleetSimulatorOptions {
  scenario: Scenario;
  cluster: FleetCluster;
  sink: TelemetrySink;
  now: () => number;
  onEvent?: (event: FleetEvent) => void;
  onError?: (error: unknown) => void;
}

export class FleetSimulator {
  private readonly rng: SeededRandom;
  private readonly features = new Map<string, Map<string, FeatureProfile>>();
  private readonly pipelines: PipelineState[];
  private readonly pending: ScenarioEvent[];
  private readonly start: number;
  private nextMinute: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly o: FleetSimulatorOptions) {
    this.rng = new SeededRandom(o.scenario.seed);
    this.start = Math.floor(o.now() / MINUTE) * MINUTE;
    this.nextMinute = this.start;
    for (const m of o.scenario.models) this.features.set(m.name, new Map(Object.entries(m.features)));
    this.pipelines = o.scenario.pipelines.map((spec) => ({ spec, failureRate: spec.failure_rate, failureReason: 'step failed' }));
    this.pending = [...o.scenario.events];
  }

  /** The minute the live part starts at; history ends there. */
  get startedAt(): number {
    return this.start;
  }

  /**
   * History before the start: requests by each model's initial version, pipeline runs and GPU
   * samples of the jobs already running, so 30-day SLO windows have days of data behind them.
   * Features are left out: baselines come from training data, and drift is judged on live windows.
   */
  async backfill(onProgress: (done: number, total: number) => void): Promise<void> {
    const from = this.start - this.o.scenario.backfill;
    const jobs = runningGpuJobs(this.o.cluster.scheduler.workloads());
    const rng = this.rng.fork('backfill');
    const hours = Math.ceil((this.start - from) / HOUR);
    for (let h = 0; h < hours; h += BACKFILL_STEP_HOURS) {
      const batch = emptyBatch();
      const stepStart = from + h * HOUR;
      const stepEnd = Math.min(this.start, stepStart + BACKFILL_STEP_HOURS * HOUR);
      for (let minute = stepStart; minute < stepEnd; minute += MINUTE) {
        this.servingMinute(batch, minute, rng, (m) => m.version);
        if ((minute / MINUTE) % 5 === 0) batch.gpu.push(...gpuSamples(jobs, this.o.scenario.gpu_pool.nodes, minute, rng));
      }
      for (const p of this.pipelines) batch.runs.push(...finishedRuns(p, stepStart, stepEnd, rng));
      await this.send(batch);
      onProgress(Math.min(hours, h + BACKFILL_STEP_HOURS), hours);
    }
  }

  /** Starts the live part: a tick every `tickMs` of real time emits every simulated minute completed since. */
  run(tickMs = 200): void {
    this.timer = setInterval(() => {
      // A tick still sending (ingest waits for its commit) covers the minutes due meanwhile next time.
      this.ticking ??= this.tick()
        .catch((error: unknown) => this.o.onError?.(error))
        .finally(() => (this.ticking = undefined));
    }, tickMs);
  }

  /** Stops ticking and waits for the minute in flight to be sent. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Applies due events and emits every whole minute up to now. */
  async tick(): Promise<void> {
    const now = this.o.now();
    while (this.pending[0] !== undefined && this.start + this.pending[0].at <= now) this.apply(this.pending.shift() as ScenarioEvent);
    const batch = emptyBatch();
    const jobs = runningGpuJobs(this.o.cluster.scheduler.workloads());
    while (this.nextMinute + MINUTE <= now) {
      const minute = this.nextMinute;
      this.servingMinute(batch, minute, this.rng, (m) => this.o.cluster.servingVersion(m.name));
      for (const m of this.o.scenario.models) {
        const profiles = this.features.get(m.name) as Map<string, FeatureProfile>;
        batch.features.push(...featureObservations(m.name, this.o.cluster.servingVersion(m.name), profiles, m.observations_per_minute, minute, this.rng));
      }
      batch.gpu.push(...gpuSamples(jobs, this.o.scenario.gpu_pool.nodes, minute, this.rng));
      for (const p of this.pipelines) batch.runs.push(...finishedRuns(p, minute, minute + MINUTE, this.rng));
      this.nextMinute += MINUTE;
    }
    await this.send(batch);
  }

  private servingMinute(batch: Batch, minute: number, rng: SeededRandom, versionOf: (m: Scenario['models'][number]) => string): void {
    for (const m of this.o.scenario.models) {
      const version = versionOf(m);
      const profile = m.versions[version] ?? (m.versions[m.version] as Scenario['models'][number]['versions'][string]);
      const row = requestBatch({ model: m.name, namespace: m.namespace, version, requestsPerMinute: m.requests_per_minute, profile }, minute, rng);
      if (row) batch.requests.push(row);
    }
  }

  private apply(e: ScenarioEvent): void {
    const at = this.start + e.at;
    const tell = (text: string) => this.o.onEvent?.({ at, text });
    if (e.rollout) {
      this.o.cluster.rollout(e.rollout.model, e.rollout.version);
      tell(`rollout: ${e.rollout.model} → ${e.rollout.version}`);
    }
    if (e.drift) {
      this.features.get(e.drift.model)?.set(e.drift.feature, e.drift.to);
      tell(`drift: ${e.drift.model}.${e.drift.feature} moves to ${JSON.stringify(e.drift.to)}`);
    }
    if (e.submit_job) {
      const j = e.submit_job;
      this.o.cluster.submit(j);
      tell(`job submitted: ${j.namespace}/${j.name} (${j.gpus} GPUs, priority ${j.priority}${j.fail_attempts > 0 ? `, will be ${j.fail_reason}` : ''})`);
    }
    if (e.pipeline_failing) {
      const f = e.pipeline_failing;
      const p = this.pipelines.find((x) => x.spec.name === f.pipeline);
      if (p) Object.assign(p, { failureRate: f.failure_rate, failureReason: f.reason });
      tell(`pipeline ${f.pipeline} starts failing (${Math.round(f.failure_rate * 100)}%: ${f.reason})`);
    }
  }

  /** Every kind at once, so they share the ingest's group commits. */
  private async send(batch: Batch): Promise<void> {
    await Promise.all(
      (Object.keys(batch) as TelemetryKind[]).map(async (kind) => {
        const rows = batch[kind];
        for (let i = 0; i < rows.length; i += SEND_CHUNK) await this.o.sink(kind, rows.slice(i, i + SEND_CHUNK));
      }),
    );
  }
}
