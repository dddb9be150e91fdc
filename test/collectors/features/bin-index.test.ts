import { describe, expect, test } from 'vitest';
import { binIndex } from '../../../collectors/features/bin-index.js';

const EDGES = [0, 1.5, 10];

describe('binIndex over edges 0, 1.5, 10: bins (-∞,0), [0,1.5), [1.5,10), [10,+∞)', () => {
  test.each([
    ['a value below the first edge is in the open lower bin', -1e300, 0],
    ['a value on an edge belongs to the bin the edge opens', 0, 1],
    ['a value just under an edge stays in the bin before it', 1.4999999, 1],
    ['the middle edge opens its bin', 1.5, 2],
    ['the last edge opens the open upper bin', 10, 3],
    ['a value far above is in the open upper bin', 1e300, 3],
  ])('%s', (_, value, bin) => {
    expect(binIndex(EDGES, value)).toBe(bin);
  });

  test('a single edge splits the line in two', () => {
    expect([binIndex([5], 4.9), binIndex([5], 5)]).toEqual([0, 1]);
  });
});
