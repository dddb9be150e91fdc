import type { Logger } from 'pino';
import { inSpan } from '../self-tracing.js';
import { PeriodicTask } from './periodic-task.js';
import type { DriftEpisode } from '../domain/drift/index.js';
import type { DriftScoreRecord, StoredBaseline } from '../store/index.js';
import { evaluateModelDrift, type DriftSettings, type EarlierVerdictsReader, type ModelDrift, type WindowBinsReader } from './drift-evaluator.js';
import type { DriftMetrics } from './drift-metrics.js';

export interface DriftEpisodeSignal {
  model: string;
  feature: string;
  episode: DriftEpisode;
  driftShare: number | null;
}

export interface DriftLoopDeps {
  baselines: () => Promise<StoredBaseline[]>;
  readBins: WindowBinsReader;
  writeScores: (rows: DriftScoreRecord[]) => Promise<void>;
  /** Stored verdicts before the lookback (drift_scores), to follow an episode back to its start. */
  readEarlierVerdicts?: EarlierVerdictsReader;
  metrics: DriftMetrics;
  settings: DriftSettings;
  /** Told once per episode when it opens (the policy engine's retraining trigger). */
  onEpisodeOpened?: (signal: DriftEpisodeSignal) => void;
  logger: Logger;
  intervalMs: number;
  now: () => number;
}

function scoreRows(drift: ModelDrift, baselines: readonly StoredBaseline[], now: number): DriftScoreRecord[] {
  return drift.features.flatMap((f) => {
    const baseline = baselines.find((b) => b.model === drift.model && b.feature === f.feature && b.version === f.baselineVersion);
    return f.windows.map((w) => ({
      ts: w.end,
      window_start: w.start,
      model: drift.model,
      version: f.baselineVersion,
      feature: f.feature,
      psi: w.assessment.psi ?? 0,
      threshold: w.assessment.decision.threshold ?? 0,
      n_reference: baseline?.baseline.n ?? w.assessment.n,
      n_current: w.assessment.m,
      status: w.assessment.decision.status,
      computed_at: now,
    }));
  });
}

/** Scores every model with baselines each interval; a failing model is logged and the others carry on. */
export class DriftLoop {
  readonly latest = new Map<string, ModelDrift>();
  private readonly announced = new Set<string>();

  private readonly task: PeriodicTask;

  constructor(private readonly deps: DriftLoopDeps) {
    this.task = new PeriodicTask(() => this.runOnce(), deps.intervalMs, (error) => deps.logger.error({ err: error }, 'drift cycle failed'));
  }

  runOnce(now = this.deps.now()): Promise<ModelDrift[]> {
    return inSpan('mlwarden.drift.evaluation_cycle', {}, () => this.cycle(now));
  }

  private async cycle(now: number): Promise<ModelDrift[]> {
    const baselines = await this.deps.baselines();
    const results: ModelDrift[] = [];
    for (const model of [...new Set(baselines.map((b) => b.model))].sort()) {
      try {
        const drift = await evaluateModelDrift(this.deps.readBins, model, baselines, now, this.deps.settings, this.deps.readEarlierVerdicts);
        await this.deps.writeScores(scoreRows(drift, baselines, now));
        this.deps.metrics.record(drift);
        this.latest.set(model, drift);
        this.announceOpened(drift);
        results.push(drift);
      } catch (error) {
        this.deps.logger.error({ err: error, model }, 'drift evaluation failed');
      }
    }
    this.deps.metrics.cycleFinished(this.deps.now());
    return results;
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private announceOpened(drift: ModelDrift): void {
    for (const episode of drift.openEpisodes) {
      const key = `${drift.model}\u0000${episode.feature}\u0000${episode.start}`;
      if (this.announced.has(key)) continue;
      this.announced.add(key);
      this.deps.logger.warn({ model: drift.model, feature: episode.feature, since: new Date(episode.start).toISOString(), peak_psi: episode.peakPsi }, 'drift episode opened');
      this.deps.onEpisodeOpened?.({ model: drift.model, feature: episode.feature, episode, driftShare: drift.share.share });
    }
  }
}
