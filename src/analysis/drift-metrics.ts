import { Gauge, type Registry } from 'prom-client';
import type { ModelDrift } from './drift-evaluator.js';
import { SeriesGroups } from './series-groups.js';

/** At most this many features of one model are exported. */
export const MAX_FEATURES_PER_MODEL = 200;

/** Drift gauges on /metrics: PSI of the last scored window, drift share, open episodes. */
export class DriftMetrics {
  private readonly psi: Gauge<'model' | 'feature'>;
  private readonly share: Gauge<'model'>;
  private readonly episodeOpen: Gauge<'model' | 'feature'>;
  private readonly insufficient: Gauge<'model' | 'feature'>;
  private readonly lastCycle: Gauge;
  private readonly series = new SeriesGroups();

  constructor(registry: Registry) {
    const registers = [registry];
    this.psi = new Gauge({ name: 'mlwarden_drift_psi', help: 'PSI of the last whole window per model and feature (absent while the window had too little data).', labelNames: ['model', 'feature'], registers });
    this.share = new Gauge({ name: 'mlwarden_drift_share_ratio', help: 'Share of a model\'s assessed features that are drifting.', labelNames: ['model'], registers });
    this.episodeOpen = new Gauge({ name: 'mlwarden_drift_episode_open', help: '1 while a drift episode is open for the feature.', labelNames: ['model', 'feature'], registers });
    this.lastCycle = new Gauge({ name: 'mlwarden_drift_last_cycle_timestamp_seconds', help: 'When the drift loop last finished a cycle (every model scored or its failure logged).', registers });
    this.insufficient = new Gauge({ name: 'mlwarden_drift_insufficient_data', help: '1 when the last window had too few observations to judge drift.', labelNames: ['model', 'feature'], registers });
  }

  cycleFinished(at: number): void {
    this.lastCycle.set(at / 1000);
  }

  record(drift: ModelDrift): void {
    const { model } = drift;
    this.series.clear(model);
    for (const f of drift.features.slice(0, MAX_FEATURES_PER_MODEL)) {
      const last = f.windows.at(-1);
      const labels = { model, feature: f.feature };
      const insufficient = last === undefined || last.assessment.decision.status === 'insufficient';
      this.series.set(model, this.psi, labels, insufficient ? null : last.assessment.psi);
      this.series.set(model, this.insufficient, labels, insufficient ? 1 : 0);
      this.series.set(model, this.episodeOpen, labels, f.episodes.some((e) => e.end === null) ? 1 : 0);
    }
    this.series.set(model, this.share, { model }, drift.share.share);
  }
}
