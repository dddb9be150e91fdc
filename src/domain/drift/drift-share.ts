/**
 * Model-level drift share: the fraction of a model's features that are drifting (an open episode),
 * weighted when weights are given (e.g. feature importance; default 1 each). Features whose state is
 * unknown (no sufficient window yet) are left out of both sides and counted apart, so a model whose
 * features all lack data reads "unknown", not "0% drifting".
 */
import { invalidDriftInput } from './drift-error.js';

export interface FeatureDriftFlag {
  feature: string;
  /** null: not assessed yet (only insufficient windows so far). */
  drifting: boolean | null;
  weight?: number;
}

export interface DriftShare {
  /** Weighted fraction of assessed features that are drifting; null when none is assessed. */
  share: number | null;
  drifting: string[];
  assessed: number;
  unknown: number;
}

export function driftShare(features: readonly FeatureDriftFlag[]): DriftShare {
  let weightDrifting = 0;
  let weightAssessed = 0;
  const drifting: string[] = [];
  let unknown = 0;
  for (const f of features) {
    const weight = f.weight ?? 1;
    if (!(weight >= 0) || !Number.isFinite(weight)) throw invalidDriftInput(`weight of ${f.feature}`, `must be a finite non-negative number, got ${weight}`);
    if (f.drifting === null) {
      unknown++;
      continue;
    }
    weightAssessed += weight;
    if (f.drifting) {
      weightDrifting += weight;
      drifting.push(f.feature);
    }
  }
  return { share: weightAssessed > 0 ? weightDrifting / weightAssessed : null, drifting, assessed: features.length - unknown, unknown };
}
