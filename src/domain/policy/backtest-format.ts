/** A backtest report as a text table for the command line (JSON is the report itself). */
import type { BacktestReport, BacktestRow } from './backtest.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The outcome column: what would have happened, and which guardrail would have stopped it. */
export function outcomeText(r: BacktestRow): string {
  if (r.outcome === 'skipped') return `skipped: ${r.reason}`;
  if (r.outcome === 'denied') return `denied by ${r.deniedBy ?? '?'}`;
  if (r.rolloutUnknown) return 'would roll back if a rollout explained it / would escalate';
  return r.status === 'proposed' ? 'would act' : `would act (${r.status})`;
}

function causeText(r: BacktestRow): string {
  if (r.outcome === 'skipped') return String(r.cause.signal ?? '');
  return r.outcome === 'denied' ? r.reason : Object.entries(r.cause).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

function table(header: readonly string[], body: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...body.map(line)];
}

export function formatBacktest(report: BacktestReport): string {
  const body = report.rows.map((r) => [iso(r.at), r.policy, r.kind ?? '-', r.target ?? '-', outcomeText(r), causeText(r)]);
  const acted = report.rows.filter((r) => r.outcome === 'would-act').length;
  const denied = report.rows.filter((r) => r.outcome === 'denied').length;
  return [
    `Backtest ${iso(report.from)} .. ${iso(report.to)} (dry run; ${report.instants} instants, step ${report.stepMs / 1000}s): ${acted} would act, ${denied} denied`,
    '',
    ...(body.length > 0 ? table(['TIME', 'POLICY', 'KIND', 'TARGET', 'OUTCOME', 'CAUSE'], body) : ['no policy fired']),
    '',
    'Assumptions:',
    ...report.assumptions.map((a) => `- ${a}`),
    '',
  ].join('\n');
}
