/**
 * Pre-aggregated histograms (the ingest's histogram form, binned by the serving side) against a
 * baseline: a histogram bin can be attributed to one baseline bin only when no baseline edge falls
 * strictly inside it, i.e. when every baseline edge is also a histogram edge (the serving side bins at
 * the baseline's edges or finer). Then counts merge exactly; otherwise the histogram is refused with
 * the edges it lacks, rather than guessing how mass splits inside a bin.
 */
import { binIndex, type NumericWindowCounts } from './binning.js';
import { invalidDriftInput } from './drift-error.js';

export interface Histogram {
  /** Interior edges, same semantics as a baseline's: (-∞,e0), [e0,e1), …, [e(k-1),+∞). */
  edges: readonly number[];
  counts: readonly number[];
  missing: number;
}

export function alignHistogram(histogram: Histogram, baselineEdges: readonly number[]): NumericWindowCounts {
  if (histogram.counts.length !== histogram.edges.length + 1) {
    throw invalidDriftInput('counts', `has ${histogram.counts.length} entries; expected edges.length + 1 = ${histogram.edges.length + 1}`);
  }
  const own = new Set(histogram.edges);
  const lacking = baselineEdges.filter((e) => !own.has(e));
  if (lacking.length > 0) {
    throw invalidDriftInput('edges', `cannot be mapped onto the baseline's bins: missing baseline edge(s) ${lacking.slice(0, 5).join(', ')}${lacking.length > 5 ? ', …' : ''}`);
  }
  const counts = new Array<number>(baselineEdges.length + 1).fill(0);
  histogram.counts.forEach((c, j) => {
    const bin = j === 0 ? 0 : binIndex(histogram.edges[j - 1] as number, baselineEdges);
    counts[bin]! += c;
  });
  return { counts, missing: histogram.missing };
}
