/**
 * The records the client ships, in the shapes `POST /v1/telemetry/features` accepts: one observation
 * (value, category, or neither for a missing value) or a histogram binned on the serving side.
 */
export interface ObservationRecord {
  ts: number;
  model: string;
  version: string;
  feature: string;
  value?: number;
  category?: string;
}

/** `counts` has edges.length + 1 entries: bins (-∞,e0), [e0,e1), …, [e(n-1),+∞); `missing` counts nulls. */
export interface HistogramRecord {
  ts: number;
  model: string;
  version: string;
  feature: string;
  edges: number[];
  counts: number[];
  missing: number;
}

export type FeatureRecord = ObservationRecord | HistogramRecord;

/** A feature value as a serving app hands it over; null (or a non-finite number) is a missing value. */
export type FeatureValue = number | string | null;
