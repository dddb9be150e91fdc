import { binIndex } from './bin-index.js';
import { CategoryMap } from './category-map.js';
import { MAX_LABEL_LENGTH, type ResolvedOptions } from './client-options.js';
import type { FeatureRecord, FeatureValue, HistogramRecord, ObservationRecord } from './feature-record.js';

/** Records ready to ship, and how many observations they carry (a histogram carries many). */
export interface SealedBatch {
  records: FeatureRecord[];
  observations: number;
}

interface OpenHistogram {
  counts: number[];
  missing: number;
}

/**
 * The observations of one window, not yet shipped: numeric features with baseline edges as
 * histogram counts (memory and bytes independent of traffic), everything else as one record per
 * observation. Categorical features with a list are mapped to it (CategoryMap) before recording.
 */
export class FeatureWindow {
  private readonly raw: ObservationRecord[] = [];
  private readonly histograms = new Map<string, OpenHistogram>();
  private readonly categoryMaps = new Map<string, CategoryMap>();
  private start: number | undefined;
  observations = 0;

  constructor(private readonly o: ResolvedOptions) {
    for (const [feature, list] of o.categories) this.categoryMaps.set(feature, new CategoryMap(list, o.maxNewCategories));
  }

  /** Records in the batch sealing would produce now. */
  get records(): number {
    return this.raw.length + this.histograms.size;
  }

  add(feature: string, value: FeatureValue, ts: number): void {
    this.start ??= ts;
    this.observations++;
    const number = typeof value === 'number' ? (Number.isFinite(value) ? value : null) : value;
    const edges = this.o.baselineEdges.get(feature);
    if (edges !== undefined && typeof number !== 'string') return this.bin(feature, edges, number);
    if (typeof number === 'string') return this.addCategory(feature, number, ts);
    this.raw.push(number === null ? this.observation(feature, ts) : { ...this.observation(feature, ts), value: number });
  }

  /** Hands over everything recorded since the last seal and starts a new window. */
  seal(): SealedBatch {
    const ts = this.start ?? this.o.now();
    const records: FeatureRecord[] = this.raw.splice(0);
    for (const [feature, h] of this.histograms) records.push(this.histogram(feature, h, ts));
    const batch = { records, observations: this.observations };
    this.histograms.clear();
    for (const map of this.categoryMaps.values()) map.startWindow();
    this.observations = 0;
    this.start = undefined;
    return batch;
  }

  private bin(feature: string, edges: readonly number[], value: number | null): void {
    let h = this.histograms.get(feature);
    if (h === undefined) {
      h = { counts: new Array<number>(edges.length + 1).fill(0), missing: 0 };
      this.histograms.set(feature, h);
    }
    if (value === null) h.missing++;
    else (h.counts[binIndex(edges, value)] as number)++;
  }

  private addCategory(feature: string, category: string, ts: number): void {
    const map = this.categoryMaps.get(feature);
    const bounded = category.length > MAX_LABEL_LENGTH ? category.slice(0, MAX_LABEL_LENGTH) : category;
    this.raw.push({ ...this.observation(feature, ts), category: map ? map.map(bounded) : bounded });
  }

  private observation(feature: string, ts: number): ObservationRecord {
    return { ts, model: this.o.model, version: this.o.version, feature };
  }

  private histogram(feature: string, h: OpenHistogram, ts: number): HistogramRecord {
    const edges = this.o.baselineEdges.get(feature) as readonly number[];
    return { ts, model: this.o.model, version: this.o.version, feature, edges: [...edges], counts: h.counts, missing: h.missing };
  }
}
