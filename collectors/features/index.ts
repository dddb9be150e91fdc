export { FeatureClient, type FeatureClientStats } from './feature-client.js';
export type { FeatureClientOptions } from './client-options.js';
export { FeatureClientError, type FeatureClientErrorKind } from './client-error.js';
export type { FeatureRecord, FeatureValue, HistogramRecord, ObservationRecord } from './feature-record.js';
export { OTHER_CATEGORY } from './category-map.js';
