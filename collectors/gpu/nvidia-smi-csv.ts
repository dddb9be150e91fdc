import { parse } from 'csv-parse/sync';
import { MIB, percent, type GpuRecord } from './gpu-record.js';

/** The query this parser reads; `noheader`/`nounits` are optional (a header and units are understood). */
export const NVIDIA_SMI_ARGS = ['--query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,power.draw', '--format=csv,noheader,nounits'] as const;

const COLUMNS = ['index', 'uuid', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'power.draw'] as const;
type Column = (typeof COLUMNS)[number];

export interface NvidiaSmiOptions {
  ts: number;
  node: string;
}

/**
 * gpu rows from `nvidia-smi --query-gpu=…` CSV output. With a header, columns are found by name (in any
 * order); without one they are in NVIDIA_SMI_ARGS' order. `[N/A]` and `[Not Supported]` become null; a
 * GPU whose utilisation is not available (e.g. in MIG mode) is left out, utilisation being required.
 */
export function parseNvidiaSmiCsv(text: string, options: NvidiaSmiOptions): GpuRecord[] {
  const lines = parse(text, { trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const first = lines[0];
  const header = first ? headerPositions(first) : new Map<Column, number>();
  const hasHeader = header.size > 0;
  const position = hasHeader ? header : new Map(COLUMNS.map((c, i) => [c, i]));
  const rows: GpuRecord[] = [];
  for (const cells of hasHeader ? lines.slice(1) : lines) {
    const row = toRow((column) => cells[position.get(column) ?? -1], options);
    if (row) rows.push(row);
  }
  return rows;
}

/** Header cells read like `memory.used [MiB]` (or without units under `nounits`); a data row has none of these names. */
function headerPositions(header: readonly string[]): Map<Column, number> {
  const positions = new Map<Column, number>();
  header.forEach((cell, i) => {
    const name = cell.replace(/\s*\[[^\]]*\]$/, '').trim().toLowerCase();
    if ((COLUMNS as readonly string[]).includes(name)) positions.set(name as Column, i);
  });
  return positions;
}

/** A number from a cell such as `45`, `45 %`, `10240 MiB`, `70.52 W`; null for `[N/A]`, `[Not Supported]` or a missing cell. */
export function smiNumber(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const value = Number.parseFloat(cell);
  return Number.isFinite(value) ? value : null;
}

function toRow(cell: (column: Column) => string | undefined, options: NvidiaSmiOptions): GpuRecord | undefined {
  const util = smiNumber(cell('utilization.gpu'));
  const uuid = cell('uuid') ?? '';
  if (util === null || uuid === '') return undefined;
  const used = smiNumber(cell('memory.used'));
  const total = smiNumber(cell('memory.total'));
  const power = smiNumber(cell('power.draw'));
  return {
    ts: options.ts,
    node: options.node,
    gpu_uuid: uuid,
    gpu_index: smiNumber(cell('index')) ?? 0,
    gpu_model: cell('name') ?? '',
    namespace: '',
    pod: '',
    job: '',
    util_pct: percent(util),
    mem_used_bytes: used === null ? null : Math.round(used * MIB),
    mem_total_bytes: total === null ? null : Math.round(total * MIB),
    power_w: power === null ? null : Math.max(0, power),
    sm_active: null,
    labels: {},
  };
}
