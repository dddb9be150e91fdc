import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseNvidiaSmiCsv, smiNumber } from '../../../collectors/gpu/nvidia-smi-csv.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';

const TS = Date.parse('2026-12-01T10:00:00Z');
const MIB = 1024 * 1024;
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/collectors/gpu/${name}`, import.meta.url), 'utf8');

describe('nvidia-smi --query-gpu CSV → gpu rows', () => {
  const rows = parseNvidiaSmiCsv(fixture('nvidia-smi-noheader.csv'), { ts: TS, node: 'ws-1' });

  test('noheader,nounits: columns in query order, MiB in bytes, the node as configured', () => {
    expect(rows[0]).toEqual({
      ts: TS, node: 'ws-1', gpu_uuid: 'GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52', gpu_index: 0, gpu_model: 'NVIDIA A100-SXM4-40GB',
      namespace: '', pod: '', job: '', util_pct: 97, mem_used_bytes: 36000 * MIB, mem_total_bytes: 40960 * MIB, power_w: 312.45, sm_active: null, labels: {},
    });
  });

  test('[N/A] power is null; a GPU whose utilisation is [N/A] is left out', () => {
    expect(rows.map((r) => [r.gpu_index, r.power_w])).toEqual([[0, 312.45], [1, 54.22], [2, null]]);
  });

  test('with a header and units, values are read by column name', () => {
    const withHeader = parseNvidiaSmiCsv(fixture('nvidia-smi-header.csv'), { ts: TS, node: 'ws-1' });
    expect(withHeader.map((r) => [r.gpu_index, r.util_pct, r.mem_used_bytes, r.mem_total_bytes, r.power_w])).toEqual([
      [0, 97, 36000 * MIB, 40960 * MIB, 312.45],
      [1, 0, 0, 40960 * MIB, null],
    ]);
  });

  test('columns in another order are found through the header', () => {
    const text = 'uuid, index, power.draw [W], utilization.gpu [%]\nGPU-z, 5, 100.5 W, 33 %\n';
    expect(parseNvidiaSmiCsv(text, { ts: TS, node: 'n' })).toMatchObject([{ gpu_uuid: 'GPU-z', gpu_index: 5, power_w: 100.5, util_pct: 33, mem_used_bytes: null }]);
  });

  test.each([['[N/A]', null], ['[Not Supported]', null], ['70.52 W', 70.52], ['45', 45], [undefined, null]])('smiNumber(%s) is %s', (cell, value) => {
    expect(smiNumber(cell)).toBe(value);
  });

  test('the rows pass ingest validation', () => {
    expect(validateRecords('gpu', rows, TS)).toHaveLength(3);
  });
});
