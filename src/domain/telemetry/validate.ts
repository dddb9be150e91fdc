import { MlwardenError, type FieldProblem } from '../errors.js';
import { SCHEMA_FOR, type TelemetryKind, type TelemetryRows } from './kinds.js';

/** How far ahead of the server clock a record may be stamped (clock skew), in ms. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
/** A rejection reports at most this many problems, so a bad million-row body yields a readable answer. */
export const MAX_REPORTED_PROBLEMS = 20;

function describe(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(record)' : path.map(String).join('.');
}

function futureProblem(row: { ts: number }, index: number, now: number): FieldProblem | undefined {
  if (row.ts > now + MAX_FUTURE_SKEW_MS) return { index, field: 'ts', reason: 'is more than 24h in the future' };
  return undefined;
}

/**
 * Validates a whole request's records: either every record is valid and all are returned as rows,
 * or a MlwardenError('invalid') lists the first problems (record index, field, reason). All-or-nothing.
 */
export function validateRecords<K extends TelemetryKind>(kind: K, records: unknown[], now: number): Array<TelemetryRows[K]> {
  const rows: Array<TelemetryRows[K]> = [];
  const problems: FieldProblem[] = [];
  let rejected = 0;
  for (let index = 0; index < records.length; index++) {
    const input = records[index];
    const parsed = SCHEMA_FOR[kind](input).safeParse(input);
    if (!parsed.success) {
      rejected++;
      for (const issue of parsed.error.issues) {
        if (problems.length < MAX_REPORTED_PROBLEMS) problems.push({ index, field: describe(issue.path), reason: issue.message });
      }
      continue;
    }
    const skew = futureProblem(parsed.data as { ts: number }, index, now);
    if (skew) {
      rejected++;
      if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(skew);
      continue;
    }
    rows.push(parsed.data);
  }
  if (rejected > 0) {
    throw new MlwardenError('invalid', `${rejected} of ${records.length} ${kind} records are invalid; nothing was written`, { problems });
  }
  return rows;
}
