import { describe, expect, test } from 'vitest';
import { parseLabelSelector, matchesLabels } from '../../src/simulate/label-selector.js';
import { useEmulator } from './kube-client.js';
import { job } from './fixtures.js';

const clients = useEmulator();
const ns = 'ml';

const JOBS: Array<[string, Record<string, string>]> = [
  ['high-gpu', { priority: 'high', gpu: 'a100' }],
  ['low-gpu', { priority: 'low', gpu: 't4' }],
  ['low-cpu', { priority: 'low' }],
  ['queued', { priority: 'low', 'kueue.x-k8s.io/queue-name': 'team-a' }],
];

const CASES: Array<[string, string, string[]]> = [
  ['Selecting by equality should keep only matching jobs', 'priority=high', ['high-gpu']],
  ['Selecting by == should mean the same as =', 'priority==high', ['high-gpu']],
  ['Selecting by inequality should keep jobs without the value, including unlabelled ones', 'gpu!=a100', ['low-cpu', 'low-gpu', 'queued']],
  ['Selecting with in should keep jobs whose value is in the set', 'gpu in (a100, t4)', ['high-gpu', 'low-gpu']],
  ['Selecting with notin should keep jobs whose value is outside the set or missing', 'gpu notin (a100)', ['low-cpu', 'low-gpu', 'queued']],
  ['Selecting on an existing key should keep jobs carrying it', 'gpu', ['high-gpu', 'low-gpu']],
  ['Selecting on a missing key should keep jobs without it', '!kueue.x-k8s.io/queue-name', ['high-gpu', 'low-cpu', 'low-gpu']],
  ['Combining requirements should keep jobs matching all of them', 'priority=low,gpu,gpu notin (a100)', ['low-gpu']],
  ['An empty selector should keep every job', '', ['high-gpu', 'low-cpu', 'low-gpu', 'queued']],
];

describe('label selectors on list (through client-node)', () => {
  test.each(CASES)('%s (%s)', async (_sentence, labelSelector, expected) => {
    const { batch } = clients();
    for (const [name, labels] of JOBS) await batch.createNamespacedJob({ namespace: ns, body: job(name, labels) });
    const list = await batch.listNamespacedJob({ namespace: ns, labelSelector });
    expect(list.items.map((j) => j.metadata?.name)).toEqual(expected);
  });

  test('A field selector on metadata.name should keep only that object', async () => {
    const { batch } = clients();
    for (const [name, labels] of JOBS) await batch.createNamespacedJob({ namespace: ns, body: job(name, labels) });
    const list = await batch.listNamespacedJob({ namespace: ns, fieldSelector: 'metadata.name=queued' });
    expect(list.items.map((j) => j.metadata?.name)).toEqual(['queued']);
  });

  test('A malformed selector should be refused with 400 BadRequest', async () => {
    const { batch } = clients();
    await expect(batch.listNamespacedJob({ namespace: ns, labelSelector: 'a in (b' })).rejects.toMatchObject({ code: 400 });
  });
});

describe('label selector parsing', () => {
  test.each([
    ['A set requirement should parse its values', 'env in (prod,staging)', [{ key: 'env', operator: 'in', values: ['prod', 'staging'] }]],
    ['A negated key should parse as !exists', '!canary', [{ key: 'canary', operator: '!exists', values: [] }]],
    ['Spaces around operators should be ignored', ' a = b , c != d ', [{ key: 'a', operator: '=', values: ['b'] }, { key: 'c', operator: '!=', values: ['d'] }]],
  ])('%s', (_sentence, selector, expected) => {
    expect(parseLabelSelector(selector)).toEqual(expected);
  });

  test('An object without labels should match only negative requirements', () => {
    expect(matchesLabels(undefined, parseLabelSelector('!a,b notin (c),d!=e'))).toBe(true);
    expect(matchesLabels(undefined, parseLabelSelector('a'))).toBe(false);
  });
});
