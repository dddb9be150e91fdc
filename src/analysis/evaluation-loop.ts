import type { Logger } from 'pino';
import { inSpan } from '../self-tracing.js';
import { PeriodicTask } from './periodic-task.js';
import type { Slo } from '../domain/slo/index.js';
import type { SloEvaluation, SloOutcome } from './slo-evaluator.js';
import type { SloMetrics } from './slo-metrics.js';

export interface EvaluationLoopDeps {
  slos: () => readonly Slo[];
  /**
   * Evaluates every SLO of a cycle at `now`, one outcome per SLO in order (evaluateSlos bound to the
   * store's windowCountsBatch: one ClickHouse query per batch of SLOs that can share a read).
   */
  evaluate: (slos: readonly Slo[], now: number) => Promise<SloOutcome[]>;
  /** Receives every cycle's successful evaluations (the alert engine). */
  onCycle?: (evaluations: SloEvaluation[], now: number) => Promise<void>;
  metrics: SloMetrics;
  logger: Logger;
  intervalMs: number;
  now: () => number;
}

/** Evaluates every store SLO each interval. A failing SLO (or batch) is logged and counted; the loop carries on. */
export class SloEvaluationLoop {
  readonly latest = new Map<string, SloEvaluation>();
  readonly lastError = new Map<string, string>();

  private readonly task: PeriodicTask;

  constructor(private readonly deps: EvaluationLoopDeps) {
    this.task = new PeriodicTask(() => this.runOnce(), deps.intervalMs, (error) => deps.logger.error({ err: error }, 'SLO evaluation cycle failed'));
  }

  /** One full cycle at `now`; resolves with the evaluations that succeeded. */
  runOnce(now = this.deps.now()): Promise<SloEvaluation[]> {
    return inSpan('mlwarden.slo.evaluation_cycle', { 'mlwarden.slos': this.deps.slos().length }, () => this.cycle(now));
  }

  private async cycle(now: number): Promise<SloEvaluation[]> {
    const slos = [...this.deps.slos()];
    const started = performance.now();
    let outcomes: SloOutcome[];
    try {
      outcomes = await this.deps.evaluate(slos, now);
    } catch (error) {
      // evaluateSlos settles per SLO; this is a fault of the evaluator itself: every SLO failed.
      outcomes = slos.map((slo) => ({ slo, ms: performance.now() - started, error: error instanceof Error ? error : new Error(String(error)) }));
    }
    const done: SloEvaluation[] = [];
    for (const outcome of outcomes) {
      const evaluation = this.settle(outcome);
      if (evaluation) done.push(evaluation);
    }
    this.deps.logger.debug({ slos: slos.length, failed: slos.length - done.length, seconds: (performance.now() - started) / 1000 }, 'SLO evaluation cycle');
    try {
      await this.deps.onCycle?.(done, now);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'alert processing failed; will retry next cycle');
    }
    return done;
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Records one SLO's outcome: figures on success; on failure the error is counted and logged and the previous figures stay. */
  private settle(outcome: SloOutcome): SloEvaluation | undefined {
    const name = outcome.slo.name;
    // With batching, an SLO's time is its batch's read plus its own assessment.
    this.deps.metrics.duration.observe({ slo: name }, outcome.ms / 1000);
    if (outcome.evaluation) {
      this.latest.set(name, outcome.evaluation);
      this.lastError.delete(name);
      this.deps.metrics.record(outcome.evaluation);
      return outcome.evaluation;
    }
    this.deps.metrics.errors.inc({ slo: name });
    this.lastError.set(name, outcome.error.message);
    this.deps.logger.error({ err: outcome.error, slo: name }, 'SLO evaluation failed');
    return undefined;
  }
}
