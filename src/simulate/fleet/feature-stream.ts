/**
 * Feature values a served model sees, drawn from each feature's profile: the training baseline until
 * a drift event replaces a profile with the distribution the world moved to.
 */
import type { FeatureProfile } from './scenario.js';
import type { SeededRandom } from './seeded-random.js';

export function drawFeature(profile: FeatureProfile, rng: SeededRandom): { value: number } | { category: string } {
  if ('categories' in profile) return { category: rng.pick(profile.categories) };
  return { value: Math.round((profile.mean + profile.sd * rng.normal()) * 100) / 100 };
}

/** Training values for a baseline: what the model was fitted on. */
export function trainingValues(profile: FeatureProfile, rng: SeededRandom, n: number): Array<number | string> {
  return Array.from({ length: n }, () => {
    const drawn = drawFeature(profile, rng);
    return 'value' in drawn ? drawn.value : drawn.category;
  });
}

/** `perMinute` observations of each feature of a model, spread over the minute starting at `minute`. */
export function featureObservations(model: string, version: string, features: ReadonlyMap<string, FeatureProfile>, perMinute: number, minute: number, rng: SeededRandom): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < perMinute; i++) {
    const ts = minute + Math.floor((i * 60_000) / perMinute);
    for (const [feature, profile] of features) rows.push({ ts, model, version, feature, ...drawFeature(profile, rng) });
  }
  return rows;
}
