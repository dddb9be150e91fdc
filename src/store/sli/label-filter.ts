import { TupleParam } from '@clickhouse/client';
import { ident } from '../ddl.js';

/**
 * Equality filters on label columns, as one or more SLOs give them. A shape is a set of filter
 * columns with the value tuples wanted for them; a row matches when, for some shape, its values of
 * those columns are one of the tuples. A shape without columns matches every row.
 */
export interface FilterShape {
  /** Filter columns, sorted; names come from code (the SLI kinds' filter fields). */
  columns: readonly string[];
  /** Wanted values, one entry per column in `columns` order. */
  tuples: ReadonlyArray<readonly string[]>;
}

const tupleKey = (values: readonly string[]): string => JSON.stringify(values);

function isSubset(small: readonly string[], big: readonly string[]): boolean {
  return small.length < big.length && small.every((c) => big.includes(c));
}

/**
 * Merges shapes with the same columns, drops duplicate tuples, and drops tuples another shape already
 * covers (model=a covers model=a AND version=v1): fewer, simpler conditions for ClickHouse.
 */
export function normalizeShapes(shapes: readonly FilterShape[]): FilterShape[] {
  const byColumns = new Map<string, { columns: string[]; tuples: Map<string, string[]> }>();
  for (const shape of shapes) {
    const columns = [...shape.columns];
    const key = columns.join('\u0000');
    const entry = byColumns.get(key) ?? { columns, tuples: new Map<string, string[]>() };
    byColumns.set(key, entry);
    for (const t of shape.tuples) entry.tuples.set(tupleKey(t), [...t]);
  }
  const merged = [...byColumns.values()];
  if (merged.some((s) => s.columns.length === 0)) return [{ columns: [], tuples: [[]] }];
  return merged
    .map(({ columns, tuples }) => {
      const coveringShapes = merged.filter((other) => isSubset(other.columns, columns));
      const kept = [...tuples.values()].filter((t) =>
        !coveringShapes.some((other) => other.tuples.has(tupleKey(other.columns.map((c) => t[columns.indexOf(c)] as string)))),
      );
      return { columns, tuples: kept };
    })
    .filter((s) => s.tuples.length > 0);
}

/** Whether the tuples are every combination of their columns' values (so per-column IN is exact). */
function isCartesian(shape: FilterShape): boolean {
  const distinct = shape.columns.map((_, i) => new Set(shape.tuples.map((t) => t[i])).size);
  return distinct.reduce((a, b) => a * b, 1) === shape.tuples.length;
}

/**
 * SQL condition (` AND (…)`, or '' when every row matches) for the shapes, values bound as parameters
 * named `${prefix}0`, `${prefix}1`, … in `params`. `qualifier` prefixes the columns (a table alias).
 */
export function filterCondition(shapes: readonly FilterShape[], params: Record<string, unknown>, prefix: string, qualifier = ''): string {
  const normalized = normalizeShapes(shapes);
  if (normalized.some((s) => s.columns.length === 0)) return '';
  let n = 0;
  const bind = (value: unknown): string => {
    const name = `${prefix}${n++}`;
    params[name] = value;
    return name;
  };
  const col = (c: string) => `${qualifier}${ident(c)}`;
  const distinctAt = (shape: FilterShape, i: number) => [...new Set(shape.tuples.map((t) => t[i] as string))];
  const columnIn = (c: string, values: string[]) =>
    values.length === 1 ? `${col(c)} = {${bind(values[0])}:String}` : `${col(c)} IN {${bind(values)}:Array(String)}`;
  const conditions = normalized.map((shape) => {
    if (shape.tuples.length === 1 || isCartesian(shape)) return shape.columns.map((c, i) => columnIn(c, distinctAt(shape, i))).join(' AND ');
    const type = `Array(Tuple(${shape.columns.map(() => 'String').join(', ')}))`;
    return `(${shape.columns.map(col).join(', ')}) IN {${bind(shape.tuples.map((t) => new TupleParam([...t])))}:${type}}`;
  });
  if (conditions.length === 0) return ' AND 0';
  if (conditions.length === 1) return ` AND ${conditions[0]}`;
  // Several shapes: a column every shape filters on also gets one IN over all its values, which ClickHouse uses to skip data.
  const common = (normalized[0] as FilterShape).columns.filter((c) => normalized.every((s) => s.columns.includes(c)));
  const prefilter = common.map((c) => ` AND ${columnIn(c, [...new Set(normalized.flatMap((s) => distinctAt(s, s.columns.indexOf(c))))])}`).join('');
  return `${prefilter} AND (${conditions.map((c) => `(${c})`).join(' OR ')})`;
}
