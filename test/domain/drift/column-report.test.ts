import { describe, expect, test } from 'vitest';
import { columnReport, detectColumnType, type DataTable } from '../../../src/domain/drift/index.js';

const table = (name: string, column: string, cells: (string | null)[]): DataTable => ({ name, columns: [column], rows: cells.map((c) => [c]) });

describe('column types in the offline report', () => {
  test.each([
    ['decimal numbers (signs, exponents, surrounding spaces) are numeric', [['1', '-2.5', ' 3e2 ', '.5', '+7']], 'numeric'],
    ['empty cells do not make a column categorical', [['1', null, '2']], 'numeric'],
    ['one word anywhere, in either table, makes it categorical', [['1', '2'], ['3', 'n/a']], 'categorical'],
    ['hexadecimal and "Infinity" are not decimal numbers', [['0x10', 'Infinity']], 'categorical'],
  ])('%s', (_sentence, columns, type) => {
    expect(detectColumnType(...(columns as (string | null)[][]))).toBe(type);
  });

  test('--categorical declares a numeric-looking column categorical', () => {
    expect(columnReport(table('r', 'zip', ['10115', '80331']), table('c', 'zip', ['10115']), { categorical: ['zip'] }).columns[0]?.type).toBe('categorical');
  });
});

describe('the offline report on awkward tables', () => {
  test('an empty current table is insufficient data for every column, not an error', () => {
    const report = columnReport(table('ref', 'x', ['1', '2', 'a']), table('cur', 'x', []));
    expect(report.columns[0]).toMatchObject({ type: 'categorical', psi: null, status: 'insufficient' });
  });

  test('an empty reference table is refused naming it', () => {
    expect(() => columnReport(table('ref.csv', 'x', []), table('cur.csv', 'x', ['1']))).toThrow(/ref\.csv: has a header row but no data rows/);
  });

  test('columns only in the current table are skipped with a warning', () => {
    const current: DataTable = { name: 'cur.csv', columns: ['x', 'y'], rows: [['1', '2']] };
    expect(columnReport(table('ref.csv', 'x', ['1']), current).warnings).toEqual(['column "y" is only in cur.csv; skipped']);
  });
});
