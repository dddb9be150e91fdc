/**
 * One bin per category seen on either side, as Evidently and Phoenix bin categorical columns (no
 * top-K, no "other"); optionally a missing bin. Memory grows with the number of distinct
 * categories, as it does in those tools: the compatibility modes reproduce their numbers, mlwarden's
 * own method keeps memory bounded (categorical-binning.ts).
 */
import type { AlignedBins } from './baseline-psi.js';
import { MISSING_LABEL, type UnseenCategory } from './categorical-binning.js';

function tally(values: readonly (string | null)[]): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return { counts, missing };
}

/** Bins ordered by reference count, then current count, then name; unseen = current-only categories. */
export function categoryUnionBins(reference: readonly (string | null)[], current: readonly (string | null)[], missingBin: boolean, unseenLimit = 10): AlignedBins & { unseen: UnseenCategory[]; unseenTotal: number } {
  const ref = tally(reference);
  const cur = tally(current);
  const names = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])];
  const r = (k: string) => ref.counts.get(k) ?? 0;
  const c = (k: string) => cur.counts.get(k) ?? 0;
  names.sort((a, b) => r(b) - r(a) || c(b) - c(a) || (a < b ? -1 : a > b ? 1 : 0));
  const unseenAll = names.filter((k) => r(k) === 0).map((value) => ({ value, count: c(value) })).sort((a, b) => b.count - a.count);
  const bins: AlignedBins = { labels: names, roles: names.map(() => 'bin' as const), ref: names.map(r), cur: names.map(c) };
  if (missingBin) {
    bins.labels.push(MISSING_LABEL);
    bins.roles.push('missing');
    bins.ref.push(ref.missing);
    bins.cur.push(cur.missing);
  }
  return { ...bins, unseen: unseenAll.slice(0, unseenLimit), unseenTotal: unseenAll.reduce((a, u) => a + u.count, 0) };
}
