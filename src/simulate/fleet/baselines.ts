/**
 * Drift baselines for the scenario's models, registered through mlwarden's own API
 * (POST /v1/baselines) with training values drawn from each feature's profile.
 */
import { trainingValues } from './feature-stream.js';
import type { Scenario } from './scenario.js';
import { SeededRandom } from './seeded-random.js';

const TRAINING_ROWS = 5_000;

export async function registerBaselines(apiBase: string, scenario: Scenario, token?: string): Promise<string[]> {
  const rng = new SeededRandom(scenario.seed).fork('training');
  const registered: string[] = [];
  for (const model of scenario.models) {
    const entries = Object.entries(model.features);
    if (entries.length === 0) continue;
    const features = Object.fromEntries(entries.map(([name, profile]) => [name, { values: trainingValues(profile, rng, TRAINING_ROWS) }]));
    const response = await fetch(`${apiBase}/v1/baselines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ model: model.name, features }),
    });
    if (!response.ok) throw new Error(`registering baselines for ${model.name} failed: ${response.status} ${await response.text()}`);
    registered.push(model.name);
  }
  return registered;
}
