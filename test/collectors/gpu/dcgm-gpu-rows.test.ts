import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { dcgmGpuRows } from '../../../collectors/gpu/dcgm-gpu-rows.js';
import { parseExposition } from '../../../collectors/prometheus-scrape.js';
import { validateRecords } from '../../../src/domain/telemetry/index.js';

const TS = Date.parse('2026-12-01T10:00:00Z');
const MIB = 1024 * 1024;
const scrape = parseExposition(readFileSync(new URL('../../fixtures/collectors/gpu/dcgm-exporter-a100-k8s.prom', import.meta.url), 'utf8'));
const rows = dcgmGpuRows(scrape, { ts: TS, node: 'configured-node' });
const byIndex = (i: number) => rows.find((r) => r.gpu_index === i);

describe('dcgm-exporter scrape → gpu rows', () => {
  test('one row per GPU, identified by UUID, index, model and the Hostname label', () => {
    expect(rows.map((r) => [r.gpu_index, r.gpu_uuid, r.gpu_model, r.node])).toEqual([
      [0, 'GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52', 'NVIDIA A100-SXM4-40GB', 'gpu-node-a'],
      [1, 'GPU-1b6b5ff6-2a2b-8e4c-9c1d-6d1b0f7e2a11', 'NVIDIA A100-SXM4-40GB', 'gpu-node-a'],
      [2, 'GPU-8e0d3f0a-55c4-4f6f-a2f1-0c9b7d3e6f22', 'NVIDIA A100-SXM4-40GB', 'gpu-node-a'],
      [3, 'GPU-c2a7e5d9-3b1e-49a8-b6f0-7e4d2c1a9b33', 'NVIDIA A100-SXM4-40GB', 'gpu-node-a'],
    ]);
  });

  test('utilisation in %, framebuffer MiB in bytes (total = used + free), power in W', () => {
    expect(byIndex(0)).toMatchObject({ ts: TS, util_pct: 97, mem_used_bytes: 36000 * MIB, mem_total_bytes: 40536 * MIB, power_w: 312.456 });
    expect(byIndex(3)).toMatchObject({ util_pct: 0, mem_used_bytes: 0, mem_total_bytes: 40536 * MIB, power_w: 54.22 });
  });

  test('sm_active is DCGM_FI_PROF_SM_ACTIVE when exported, else GR_ENGINE_ACTIVE', () => {
    expect(byIndex(0)?.sm_active).toBe(0.912004);
    expect(byIndex(1)?.sm_active).toBe(0.874512);
  });

  test('pod, namespace and container come from the pod mapping labels; the job from the pod name', () => {
    expect(rows.map((r) => [r.namespace, r.pod, r.job, r.labels.container ?? ''])).toEqual([
      ['vision', 'train-resnet-7x2kq', 'train-resnet', 'trainer'],
      ['nlp', 'bert-finetune-worker-1', 'bert-finetune', 'pytorch'],
      ['nlp', 'bert-finetune-master-0', 'bert-finetune', 'pytorch'],
      ['', '', '', ''],
    ]);
  });

  test('a pod→job resolver replaces the heuristic', () => {
    const resolved = dcgmGpuRows(scrape, { ts: TS, node: 'n', jobOf: (pod) => `job-of-${pod}` });
    expect(resolved[0]?.job).toBe('job-of-train-resnet-7x2kq');
    expect(resolved[3]?.job).toBe('');
  });

  test('the configured node is used when a series has no Hostname label, and a GPU without utilisation is left out', () => {
    const bare = parseExposition('DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-x"} 101\nDCGM_FI_DEV_FB_USED{gpu="2",UUID="GPU-y"} 10\n');
    expect(dcgmGpuRows(bare, { ts: TS, node: 'configured-node' })).toMatchObject([{ gpu_uuid: 'GPU-x', node: 'configured-node', util_pct: 100, mem_total_bytes: null, sm_active: null }]);
  });

  test('pods sharing a GPU (time-slicing) each get a row', () => {
    const shared = parseExposition([
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-s",namespace="a",pod="p-1"} 40',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-s",namespace="a",pod="p-2"} 40',
    ].join('\n'));
    expect(dcgmGpuRows(shared, { ts: TS, node: 'n' }).map((r) => r.pod)).toEqual(['p-1', 'p-2']);
  });

  test('the rows pass ingest validation', () => {
    expect(validateRecords('gpu', rows, TS)).toHaveLength(4);
  });
});
