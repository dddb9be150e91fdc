import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { costPerInference, jobCosts, type GpuPrices } from '../domain/cost/index.js';
import type { PlatformFigures } from '../store/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface PlatformWindows {
  costMs: number;
  recoveryMs: number;
  durationMs: number;
}

export const DEFAULT_WINDOWS: PlatformWindows = { costMs: DAY, recoveryMs: 30 * DAY, durationMs: 7 * DAY };

/** Non-ratio platform figures on /metrics: GPU cost, cost per inference, MTTR, median pipeline duration. */
export class PlatformMetrics {
  private readonly gpuCost: Gauge<'namespace' | 'job'>;
  private readonly perInference: Gauge<'model'>;
  private readonly mttr: Gauge<'slo'>;
  private readonly duration: Gauge<'pipeline'>;

  constructor(
    registry: Registry,
    private readonly figures: PlatformFigures,
    private readonly prices: GpuPrices,
    private readonly logger: Logger,
    private readonly windows: PlatformWindows = DEFAULT_WINDOWS,
  ) {
    const registers = [registry];
    this.gpuCost = new Gauge({ name: 'mlwarden_gpu_cost_usd', help: 'GPU cost (allocated GPU-hours × configured price) over the last 24h, per namespace and job.', labelNames: ['namespace', 'job'], registers });
    this.perInference = new Gauge({ name: 'mlwarden_cost_per_inference_usd', help: 'GPU cost of a model over the last 24h divided by its requests.', labelNames: ['model'], registers });
    this.mttr = new Gauge({ name: 'mlwarden_slo_mttr_seconds', help: 'Mean time from an SLO alert firing to its resolution, alerts resolved in the last 30 days.', labelNames: ['slo'], registers });
    this.duration = new Gauge({ name: 'mlwarden_pipeline_run_duration_median_seconds', help: 'Median duration of pipeline runs that succeeded in the last 7 days.', labelNames: ['pipeline'], registers });
  }

  /** Recomputes every figure at `now`; a failing query is logged and leaves the previous values. */
  async refresh(now: number): Promise<void> {
    try {
      const costs = jobCosts(await this.figures.gpuHours(now - this.windows.costMs, now), this.prices);
      const requests = await this.figures.requestsPerModel(now - this.windows.costMs, now);
      const recoveries = await this.figures.recoveryTimes(now - this.windows.recoveryMs, now);
      const durations = await this.figures.runDurations(now - this.windows.durationMs, now);
      for (const gauge of [this.gpuCost, this.perInference, this.mttr, this.duration] as Array<Gauge<string>>) gauge.reset();
      for (const c of costs) this.gpuCost.set({ namespace: c.namespace, job: c.job }, c.usd);
      for (const c of costPerInference(costs, requests)) this.perInference.set({ model: c.model }, c.usd);
      for (const r of recoveries) this.mttr.set({ slo: r.slo }, r.mean_seconds);
      for (const d of durations) this.duration.set({ pipeline: d.pipeline }, d.median_seconds);
    } catch (error) {
      this.logger.error({ err: error }, 'platform figures could not be computed');
    }
  }
}
