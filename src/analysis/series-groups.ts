import type { Gauge } from 'prom-client';

/**
 * Gauge series grouped by owner (an SLO, a model): each evaluation replaces its owner's series, so a
 * group or feature that vanished stops being exported instead of showing its last value forever.
 */
export class SeriesGroups {
  private readonly emitted = new Map<string, Array<[Gauge<string>, Record<string, string>]>>();

  /** Removes every series the owner set last time. */
  clear(owner: string): void {
    for (const [gauge, labels] of this.emitted.get(owner) ?? []) gauge.remove(labels);
    this.emitted.set(owner, []);
  }

  set(owner: string, gauge: Gauge<string>, labels: Record<string, string>, value: number | undefined | null): void {
    if (value === undefined || value === null) return;
    gauge.set(labels, value);
    const list = this.emitted.get(owner) ?? [];
    list.push([gauge, labels]);
    this.emitted.set(owner, list);
  }
}
