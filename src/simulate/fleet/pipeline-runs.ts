/**
 * Kubeflow Pipelines runs of the scenario's pipelines, as a run watcher reports them once they end:
 * one run every `every`, lasting `duration`, failing at the pipeline's current failure rate.
 */
import type { PipelineSpec } from './scenario.js';
import type { SeededRandom } from './seeded-random.js';

export interface PipelineState {
  spec: PipelineSpec;
  failureRate: number;
  failureReason: string;
}

/** Runs of `p` that finished in [from, to): started at multiples of `every`. */
export function finishedRuns(p: PipelineState, from: number, to: number, rng: SeededRandom): Array<Record<string, unknown>> {
  const { every, duration, name, namespace } = p.spec;
  const rows: Array<Record<string, unknown>> = [];
  for (let start = Math.ceil((from - duration) / every) * every; start + duration < to; start += every) {
    const finished = start + duration;
    if (finished < from) continue;
    const failed = rng.next() < p.failureRate;
    rows.push({
      ts: finished,
      run_id: `${name}-${new Date(start).toISOString().replace(/[-:.TZ]/g, '').slice(0, 12)}`,
      kind: 'pipeline',
      state: failed ? 'failed' : 'succeeded',
      pipeline: name,
      namespace,
      created_at: start - 20_000,
      started_at: start,
      finished_at: finished,
      ...(failed ? { reason: p.failureReason } : {}),
    });
  }
  return rows;
}
