import { isTerminal, type RunRecord } from './run-record.js';

export interface RunLedgerOptions {
  /** How long a finished run is remembered (and older finished runs ignored), in ms; default 6h. */
  retainFinishedMs?: number;
  /** Most attempts remembered; the oldest finished go first beyond it. Default 100 000. */
  maxEntries?: number;
}

interface Entry {
  state: string;
  finishedAt: number | null;
}

/**
 * What was already emitted per run attempt (run_id + attempt), so only state changes become rows,
 * whatever replays them: a resumed watch, a relist after 410 Gone, a repeated poll. It lives in
 * the collector, not in a watcher, so it survives relists. Finished attempts are forgotten after
 * `retainFinishedMs`, and rows of runs that finished before that window are not emitted at all,
 * so forgetting never turns into a duplicate.
 */
export class RunLedger {
  private readonly entries = new Map<string, Entry>();
  private readonly retainMs: number;
  private readonly maxEntries: number;

  constructor(options: RunLedgerOptions = {}) {
    this.retainMs = options.retainFinishedMs ?? 6 * 3_600_000;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The rows that change something, recorded as emitted. */
  changes(rows: readonly RunRecord[], now: number): RunRecord[] {
    const changed = rows.filter((row) => this.isChange(row, now));
    for (const row of changed) this.entries.set(keyOf(row), { state: row.state, finishedAt: isTerminal(row.state) ? (row.finished_at ?? now) : null });
    if (changed.length > 0) this.evict(now);
    return changed;
  }

  private isChange(row: RunRecord, now: number): boolean {
    const previous = this.entries.get(keyOf(row));
    if (previous !== undefined) return previous.state !== row.state;
    const longFinished = isTerminal(row.state) && row.finished_at !== null && now - row.finished_at > this.retainMs;
    return !longFinished;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) if (entry.finishedAt !== null && now - entry.finishedAt > this.retainMs) this.entries.delete(key);
    if (this.entries.size <= this.maxEntries) return;
    const finished = [...this.entries].filter(([, e]) => e.finishedAt !== null).sort(([, a], [, b]) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    for (const [key] of finished.slice(0, this.entries.size - this.maxEntries)) this.entries.delete(key);
  }
}

const keyOf = (row: RunRecord) => `${row.run_id}#${row.attempt}`;
