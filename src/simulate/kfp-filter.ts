import { kfpErrors } from './kfp-error.js';
import type { KfpRun } from './kfp-run.js';

type RunPredicate = (run: KfpRun) => boolean;

/** Run fields a filter may name (KFP also accepts `name` for the display name). */
const STRING_FIELDS: Readonly<Record<string, (run: KfpRun) => string>> = {
  display_name: (run) => run.display_name,
  name: (run) => run.display_name,
  run_id: (run) => run.run_id,
  experiment_id: (run) => run.experiment_id,
  state: (run) => run.state,
  storage_state: (run) => run.storage_state,
};

interface Predicate {
  key?: unknown;
  operation?: unknown;
  op?: unknown;
  string_value?: unknown;
  stringValue?: unknown;
  string_values?: { values?: unknown };
  stringValues?: { values?: unknown };
}

function stringsOf(p: Predicate): string[] {
  const list = (p.string_values ?? p.stringValues)?.values;
  return Array.isArray(list) ? list.map(String) : [];
}

function predicateOf(p: Predicate): RunPredicate {
  const field = typeof p.key === 'string' ? STRING_FIELDS[p.key] : undefined;
  if (field === undefined) throw kfpErrors.invalid(`filter key ${String(p.key)} is not supported`);
  const value = String(p.string_value ?? p.stringValue ?? '');
  switch (p.operation ?? p.op) {
    case 'EQUALS':
      return (run) => field(run) === value;
    case 'NOT_EQUALS':
      return (run) => field(run) !== value;
    case 'IS_SUBSTRING':
      return (run) => field(run).includes(value);
    case 'IN': {
      const values = stringsOf(p);
      return (run) => values.includes(field(run));
    }
    default:
      throw kfpErrors.invalid(`filter operation ${String(p.operation ?? p.op)} is not supported`);
  }
}

/** The `filter` query parameter (URL-encoded JSON of a Filter message) as a run predicate. */
export function parseRunFilter(encoded: string | undefined): RunPredicate {
  if (encoded === undefined || encoded.trim() === '') return () => true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded);
  } catch {
    throw kfpErrors.invalid(`filter ${encoded} is not valid JSON`);
  }
  const predicates = (parsed as { predicates?: unknown }).predicates;
  if (!Array.isArray(predicates)) throw kfpErrors.invalid('filter has no predicates list');
  const tests = predicates.map((p) => predicateOf(p as Predicate));
  return (run) => tests.every((t) => t(run));
}
