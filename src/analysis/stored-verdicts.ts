import type { WindowVerdict } from '../domain/drift/index.js';
import type { ScoredWindowRow } from '../store/index.js';
import type { EarlierVerdictsReader } from './drift-evaluator.js';

/** The drift loop's reader of earlier verdicts, over the store's scored windows (store's scoredWindowsBetween, bound to a client). */
export function storedVerdicts(read: (model: string, from: number, to: number) => Promise<ScoredWindowRow[]>): EarlierVerdictsReader {
  return async (model, from, to) => {
    const byFeature = new Map<string, WindowVerdict[]>();
    for (const row of await read(model, from, to)) {
      const verdict: WindowVerdict = { start: row.window_start, end: row.window_end, status: row.status, psi: row.psi };
      byFeature.set(row.feature, [...(byFeature.get(row.feature) ?? []), verdict]);
    }
    return byFeature;
  };
}
