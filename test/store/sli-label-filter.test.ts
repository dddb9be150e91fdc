import { TupleParam } from '@clickhouse/client';
import { describe, expect, test } from 'vitest';
import { filterCondition, normalizeShapes } from '../../src/store/sli/label-filter.js';

/** The WHERE a batch of SLOs reads with: exact, values bound, as simple as the SLOs allow. */
describe('label filters of a batch of SLOs', () => {
  test('one SLO: plain equalities with bound values', () => {
    const params: Record<string, unknown> = {};
    expect(filterCondition([{ columns: ['model', 'version'], tuples: [['fraud', 'v1']] }], params, 'lf')).toBe(' AND `model` = {lf0:String} AND `version` = {lf1:String}');
    expect(params).toEqual({ lf0: 'fraud', lf1: 'v1' });
  });

  test('an SLO without filters reads every row', () => {
    expect(filterCondition([{ columns: ['model'], tuples: [['a']] }, { columns: [], tuples: [[]] }], {}, 'lf')).toBe('');
  });

  test('every combination of values: one IN per column', () => {
    const params: Record<string, unknown> = {};
    const shape = { columns: ['endpoint', 'model'], tuples: [['/p', 'a'], ['/p', 'b'], ['/q', 'a'], ['/q', 'b']] };
    expect(filterCondition([shape], params, 'lf', 'r.')).toBe(' AND r.`endpoint` IN {lf0:Array(String)} AND r.`model` IN {lf1:Array(String)}');
    expect(params).toEqual({ lf0: ['/p', '/q'], lf1: ['a', 'b'] });
  });

  test('other combinations: a tuple IN, so no pair nobody asked for is read', () => {
    const params: Record<string, unknown> = {};
    const shape = { columns: ['model', 'version'], tuples: [['a', 'v1'], ['b', 'v2']] };
    expect(filterCondition([shape], params, 'lf')).toBe(' AND (`model`, `version`) IN {lf0:Array(Tuple(String, String))}');
    expect(params.lf0).toEqual([new TupleParam(['a', 'v1']), new TupleParam(['b', 'v2'])]);
  });

  test('a tuple another SLO already covers is dropped; shapes left are ORed under a prefilter on shared columns', () => {
    const shapes = [
      { columns: ['model'], tuples: [['a']] },
      { columns: ['model', 'version'], tuples: [['a', 'v1']] },
      { columns: ['model', 'version'], tuples: [['b', 'v2']] },
      { columns: ['endpoint', 'model'], tuples: [['/p', 'c']] },
    ];
    expect(normalizeShapes(shapes)).toEqual([
      { columns: ['model'], tuples: [['a']] },
      { columns: ['model', 'version'], tuples: [['b', 'v2']] },
      { columns: ['endpoint', 'model'], tuples: [['/p', 'c']] },
    ]);
    const params: Record<string, unknown> = {};
    expect(filterCondition(shapes, params, 'lf')).toBe(
      ' AND `model` IN {lf5:Array(String)} AND ((`model` = {lf0:String}) OR (`model` = {lf1:String} AND `version` = {lf2:String}) OR (`endpoint` = {lf3:String} AND `model` = {lf4:String}))',
    );
    expect(params).toEqual({ lf0: 'a', lf1: 'b', lf2: 'v2', lf3: '/p', lf4: 'c', lf5: ['a', 'b', 'c'] });
  });
});
