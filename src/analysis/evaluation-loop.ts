import type { Logger } from 'pino';
import type { Slo } from '../domain/slo/index.js';
import type { SloEvaluation } from './slo-evaluator.js';
import type { SloMetrics } from './slo-metrics.js';

export interface EvaluationLoopDeps {
  slos: () => readonly Slo[];
  evaluate: (slo: Slo, now: number) => Promise<SloEvaluation>;
  /** Receives every cycle's successful evaluations (the alert engine). */
  onCycle?: (evaluations: SloEvaluation[], now: number) => Promise<void>;
  metrics: SloMetrics;
  logger: Logger;
  intervalMs: number;
  now: () => number;
  /** SLOs evaluated at once; ClickHouse does the heavy lifting, so a few in flight keep it busy. */
  concurrency?: number;
}

/** Evaluates every store SLO each interval. A failing SLO is logged and counted; the loop carries on. */
export class SloEvaluationLoop {
  readonly latest = new Map<string, SloEvaluation>();
  readonly lastError = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: EvaluationLoopDeps) {}

  /** One full cycle at `now`; resolves with the evaluations that succeeded. */
  async runOnce(now = this.deps.now()): Promise<SloEvaluation[]> {
    const queue = [...this.deps.slos()];
    const done: SloEvaluation[] = [];
    const worker = async () => {
      for (let slo = queue.shift(); slo; slo = queue.shift()) {
        const evaluation = await this.evaluateOne(slo, now);
        if (evaluation) done.push(evaluation);
      }
    };
    await Promise.all(Array.from({ length: this.deps.concurrency ?? 4 }, worker));
    try {
      await this.deps.onCycle?.(done, now);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'alert processing failed; will retry next cycle');
    }
    return done;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce().then(
        () => undefined,
        (error: unknown) => this.deps.logger.error({ err: error }, 'SLO evaluation cycle failed'),
      );
      void this.running.finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.deps.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async evaluateOne(slo: Slo, now: number): Promise<SloEvaluation | undefined> {
    const end = this.deps.metrics.duration.startTimer({ slo: slo.name });
    try {
      const evaluation = await this.deps.evaluate(slo, now);
      this.latest.set(slo.name, evaluation);
      this.lastError.delete(slo.name);
      this.deps.metrics.record(evaluation);
      return evaluation;
    } catch (error) {
      this.deps.metrics.errors.inc({ slo: slo.name });
      this.lastError.set(slo.name, (error as Error).message);
      this.deps.logger.error({ err: error, slo: slo.name }, 'SLO evaluation failed');
      return undefined;
    } finally {
      end();
    }
  }
}
