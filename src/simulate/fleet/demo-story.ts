/**
 * The demo's terminal story: one line per scenario event, SLO alert change and action change, each
 * stamped with simulated time since the start, plus a progress bar while history is backfilled.
 * Writes to the stream it is given (the terminal in `mlwarden demo`, a buffer in tests).
 */
import type { FleetEvent } from './fleet-simulator.js';

export interface StoryStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface AlertChange {
  slo: string;
  severity: string;
  tier: string;
  firing: boolean;
  longBurn: number | null;
  labels: Record<string, string>;
}

export interface ActionChange {
  id: string;
  policy: string;
  kind: string;
  status: string;
  target: string;
  reason: string;
  denied_by: string;
}

/** Action statuses worth a line; the rest (re-saves of a running action) are bookkeeping. */
const TOLD = new Set(['proposed', 'dry-run', 'awaiting-approval', 'denied', 'running', 'done', 'failed', 'rejected']);
const BAR_WIDTH = 30;
const VERB: Record<string, string> = { proposed: 'decided', running: 'in progress' };

function clockText(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

export class DemoStory {
  private readonly told = new Map<string, string>();

  constructor(
    private readonly out: StoryStream,
    private readonly clock: { now(): number; start: number },
  ) {}

  say(text: string): void {
    this.out.write(`${text}\n`);
  }

  progress = (done: number, total: number): void => {
    const filled = Math.round((done / total) * BAR_WIDTH);
    const bar = `backfilling history [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} h`;
    if (this.out.isTTY) this.out.write(`\r${bar}${done === total ? '\n' : ''}`);
    else if (done === total || done % 24 === 0) this.say(bar);
  };

  event = (e: FleetEvent): void => this.line('scenario', e.text);

  alert = (a: AlertChange): void => {
    const group = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(',');
    const burn = a.firing && a.longBurn !== null ? ` (burning ${a.longBurn.toFixed(1)}× the sustainable rate; ${a.tier})` : '';
    this.line(a.severity.toUpperCase(), `${a.firing ? 'firing  ' : 'resolved'} ${a.slo}${group ? `{${group}}` : ''}${burn}`);
  };

  actions = (entries: readonly ActionChange[]): void => {
    for (const e of entries) {
      if (!TOLD.has(e.status) || this.told.get(e.id) === e.status) continue;
      this.told.set(e.id, e.status);
      const verb = VERB[e.status] ?? e.status;
      const why = e.status === 'denied' ? ` by ${e.denied_by}` : '';
      this.line('action', `${e.kind} ${verb}${why}: ${e.target} [${e.policy}] — ${e.reason}`);
    }
  };

  private line(tag: string, text: string): void {
    const t = this.clock.now();
    this.say(`${clockText(t - this.clock.start)} ${new Date(t).toISOString().slice(11, 16)}Z  ${tag.padEnd(8)} ${text}`);
  }
}
