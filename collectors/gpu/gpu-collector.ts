import type { CollectorHealth } from '../collector-health.js';
import { PollBackoff } from '../poll-backoff.js';
import { PollLoop } from '../poll-loop.js';
import { ScrapeError, scrapeMetrics } from '../prometheus-scrape.js';
import type { TelemetrySink } from '../telemetry-sink.js';
import { dcgmGpuRows } from './dcgm-gpu-rows.js';
import type { GpuRecord } from './gpu-record.js';
import { parseNvidiaSmiCsv } from './nvidia-smi-csv.js';
import type { PodJobResolver } from './pod-job.js';

/** Where GPU readings come from: a dcgm-exporter /metrics URL, or a function running nvidia-smi (NVIDIA_SMI_ARGS). */
export type GpuSource = { url: string; timeoutMs?: number; nvidiaSmi?: never } | { nvidiaSmi: () => Promise<string>; url?: never };

export type GpuCollectorOptions = GpuSource & {
  /** The node the source runs on (dcgm-exporter's `Hostname` label wins when present). */
  node: string;
  sink: TelemetrySink;
  health: CollectorHealth;
  now?: () => number;
  intervalMs?: number;
  jobOf?: PodJobResolver;
  /** The `collector` label on the health metrics. */
  name?: string;
  /** Jitter source for the backoff (tests fix it). */
  random?: () => number;
};

export const DEFAULT_GPU_INTERVAL_MS = 15_000;
/** Rows kept for resending while the sink refuses them; the oldest go first beyond this. */
export const MAX_UNSENT_GPU_ROWS = 50_000;

/** A failure classified for the health metric's `reason` label. */
class CycleError extends Error {
  constructor(readonly reason: 'scrape' | 'parse' | 'send', cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Polls one node's GPUs and sends gpu rows to the sink: every `intervalMs` while it works, backing off
 * (PollBackoff) after failures. Rows the sink refused are resent with the next cycle's. The loop never
 * throws: failures go to the health metrics.
 */
export class GpuCollector {
  private readonly loop: PollLoop;
  private readonly name: string;
  private readonly now: () => number;
  private unsent: GpuRecord[] = [];

  constructor(private readonly options: GpuCollectorOptions) {
    if (!options.url && !options.nvidiaSmi) throw new Error('GpuCollector needs a dcgm-exporter url or an nvidiaSmi reader');
    if (!options.node) throw new Error('GpuCollector needs the node name (node)');
    const intervalMs = options.intervalMs ?? DEFAULT_GPU_INTERVAL_MS;
    if (!(intervalMs > 0)) throw new Error(`GpuCollector intervalMs must be positive, got ${intervalMs}`);
    this.loop = new PollLoop(() => this.collectOnce(), new PollBackoff(intervalMs, undefined, options.random));
    this.name = options.name ?? (options.url ? 'dcgm' : 'nvidia-smi');
    this.now = options.now ?? Date.now;
  }

  /** One poll: reads the GPUs and sends their rows (with any left unsent before); returns the rows sent. */
  async collectOnce(): Promise<number> {
    try {
      const ts = this.now();
      this.keep(await this.read(ts));
      const rows = this.unsent;
      await this.send(rows);
      this.unsent = [];
      const now = this.now();
      this.options.health.succeeded(this.name, now);
      this.options.health.delivered(this.name, 'gpu', rows.length);
      this.options.health.caughtUp(this.name, ts, now);
      return rows.length;
    } catch (error) {
      this.options.health.failed(this.name, error instanceof CycleError ? error.reason : 'scrape');
      throw error;
    }
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for a poll in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The delay before the next poll: the interval, or a backoff after failures. */
  get nextDelayMs(): number {
    return this.loop.nextDelayMs;
  }

  get consecutiveFailures(): number {
    return this.loop.consecutiveFailures;
  }

  private async read(ts: number): Promise<GpuRecord[]> {
    const { url, nvidiaSmi, node, jobOf } = this.options;
    if (url) {
      try {
        return dcgmGpuRows(await scrapeMetrics(url, { timeoutMs: this.options.timeoutMs }), { ts, node, jobOf });
      } catch (error) {
        throw new CycleError(error instanceof ScrapeError && error.reason === 'parse' ? 'parse' : 'scrape', error);
      }
    }
    let text: string;
    try {
      text = await (nvidiaSmi as () => Promise<string>)();
    } catch (error) {
      throw new CycleError('scrape', error);
    }
    try {
      return parseNvidiaSmiCsv(text, { ts, node });
    } catch (error) {
      throw new CycleError('parse', error);
    }
  }

  private keep(rows: GpuRecord[]): void {
    this.unsent = [...this.unsent, ...rows].slice(-MAX_UNSENT_GPU_ROWS);
  }

  private async send(rows: GpuRecord[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.options.sink('gpu', rows);
    } catch (error) {
      throw new CycleError('send', error);
    }
  }
}
