/**
 * `npm run bench`: runs every bench module, prints one table per bench and writes a JSON summary to
 * bench/results/summary.json. Each bench measures a hot path against a baseline measured in the same
 * run (machines are shared and noisy: compare ratios, not absolute times between runs).
 *
 * To add a bench, export a BenchModule from bench/<name>.bench.ts and list it in BENCHES.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestBench } from './ingest.bench.js';
import { sloBench } from './slo.bench.js';
import { psiBench } from './psi.bench.js';
import { dcgmParseBench } from './dcgm-parse.bench.js';
import { statusPageBench } from './status-page.bench.js';

/** A ratio the bench must reach, e.g. HTTP ingest rows/s ÷ direct INSERT rows/s >= 0.8. */
export interface BenchTarget {
  metric: string;
  value: number;
  atLeast: number;
  met: boolean;
}

export interface BenchReport {
  /** Printed as a table: one object per line, same keys in every line. */
  table: Array<Record<string, string | number>>;
  /** Free-form lines printed under the table (e.g. where the time goes). */
  notes?: string[];
  targets: BenchTarget[];
  /** Everything worth keeping, written to the JSON summary. */
  details: Record<string, unknown>;
}

export interface BenchModule {
  name: string;
  description: string;
  run(log: (line: string) => void): Promise<BenchReport>;
}

const BENCHES: BenchModule[] = [ingestBench, sloBench, psiBench, dcgmParseBench, statusPageBench];

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

function formatCell(value: string | number): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 3 : 1 });
}

function printTable(lines: Array<Record<string, string | number>>): void {
  const first = lines[0];
  if (!first) return;
  const keys = Object.keys(first);
  const cells = [keys, ...lines.map((line) => keys.map((k) => formatCell(line[k] ?? '')))];
  const widths = keys.map((_, i) => Math.max(...cells.map((row) => (row[i] as string).length)));
  const render = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
  console.log(render(keys));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(render(row));
}

function describeTarget(t: BenchTarget): string {
  return `target ${t.metric} >= ${t.atLeast}: ${t.value.toFixed(3)} ${t.met ? 'MET' : 'NOT MET'}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = only.length > 0 ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  const summary: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    benches: {} as Record<string, unknown>,
  };
  const benches = summary.benches as Record<string, unknown>;
  for (const bench of selected) {
    console.log(`\n== ${bench.name}: ${bench.description}`);
    const started = performance.now();
    const report = await bench.run((line) => console.log(`  ${line}`));
    const seconds = (performance.now() - started) / 1000;
    console.log('');
    printTable(report.table);
    for (const note of report.notes ?? []) console.log(note);
    for (const target of report.targets) console.log(describeTarget(target));
    console.log(`(${bench.name} took ${seconds.toFixed(1)} s)`);
    benches[bench.name] = { seconds, targets: report.targets, ...report.details };
  }
  summary.allTargetsMet = selected.every((b) => ((benches[b.name] as { targets: BenchTarget[] }).targets ?? []).every((t) => t.met));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, 'summary.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nsummary written to ${file}`);
}

await main();
