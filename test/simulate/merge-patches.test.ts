import { describe, expect, test } from 'vitest';
import type { JsonObject, JsonValue } from '../../src/simulate/json.js';
import { applyMergePatch } from '../../src/simulate/merge-patch.js';
import { applyStrategicMergePatch } from '../../src/simulate/strategic-merge-patch.js';

describe('JSON merge patch (RFC 7386 appendix A vectors)', () => {
  test.each<[string, JsonValue, JsonValue, JsonValue]>([
    ['A scalar should replace a scalar', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['A new key should be added', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['A null should delete the key', { a: 'b' }, { a: null }, {}],
    ['A null should delete only its key', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['A scalar should replace an array', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
    ['An array should replace a scalar', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    ['Nested objects should merge recursively', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    ['An array should replace an array whole', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    ['A top-level array should replace the document', ['a', 'b'], ['c', 'd'], ['c', 'd']],
    ['A top-level array should replace an object', { a: 'b' }, ['c'], ['c']],
    ['A top-level null should replace the document', { a: 'foo' }, null, null],
    ['A top-level string should replace the document', { a: 'foo' }, 'bar', 'bar'],
    ['Existing nulls should be kept', { e: null }, { a: 1 }, { e: null, a: 1 }],
    ['An object patch should replace an array target', [1, 2], { a: 'b', c: null }, { a: 'b' }],
    ['Nulls in new nested objects should be dropped', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%s', (_sentence, target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });
});

const podSpec = (containers: JsonValue[]): JsonObject => ({ spec: { containers } });

describe('strategic merge patch', () => {
  test.each<[string, JsonObject, JsonObject, JsonObject]>([
    [
      'Containers should merge by name, keeping unnamed ones in place',
      podSpec([{ name: 'model', image: 'v1' }, { name: 'sidecar', image: 's' }]),
      podSpec([{ name: 'model', image: 'v2' }]),
      podSpec([{ name: 'model', image: 'v2' }, { name: 'sidecar', image: 's' }]),
    ],
    [
      'A new container should be appended',
      podSpec([{ name: 'model', image: 'v1' }]),
      podSpec([{ name: 'debug', image: 'busybox' }]),
      podSpec([{ name: 'model', image: 'v1' }, { name: 'debug', image: 'busybox' }]),
    ],
    [
      'Env entries inside a container should merge by name',
      podSpec([{ name: 'model', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }]),
      podSpec([{ name: 'model', env: [{ name: 'B', value: '3' }] }]),
      podSpec([{ name: 'model', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }] }]),
    ],
    [
      'A $patch replace element should replace the whole list',
      podSpec([{ name: 'model' }, { name: 'sidecar' }]),
      podSpec([{ $patch: 'replace' }, { name: 'only' }]),
      podSpec([{ name: 'only' }]),
    ],
    [
      'A list without a merge key should be replaced like in a merge patch',
      { spec: { tolerations: [{ key: 'a' }] } },
      { spec: { tolerations: [{ key: 'b' }] } },
      { spec: { tolerations: [{ key: 'b' }] } },
    ],
    [
      'Finalizers should merge as a set and $deleteFromPrimitiveList should remove values',
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
      { metadata: { finalizers: ['a', 'c'] } },
    ],
    [
      'A map with $patch replace should replace the map',
      { spec: { selector: { a: '1', b: '2' } } },
      { spec: { selector: { $patch: 'replace', c: '3' } } },
      { spec: { selector: { c: '3' } } },
    ],
    [
      '$setElementOrder directives should be accepted and ignored',
      podSpec([{ name: 'model', image: 'v1' }]),
      { spec: { '$setElementOrder/containers': [{ name: 'model' }], containers: [{ name: 'model', image: 'v2' }] } },
      podSpec([{ name: 'model', image: 'v2' }]),
    ],
  ])('%s', (_sentence, original, patch, expected) => {
    expect(applyStrategicMergePatch(original, patch)).toEqual(expected);
  });

  test('A keyed list element without its merge key should be refused with 400', () => {
    expect(() => applyStrategicMergePatch(podSpec([]), podSpec([{ image: 'x' }]))).toThrow(/merge key: name/);
  });
});
