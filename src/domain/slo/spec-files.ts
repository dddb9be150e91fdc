import { MlwardenError, type FieldProblem } from '../errors.js';
import { yamlDocuments, type SpecFile } from '../yaml-documents.js';
import { nativeReader } from './native-reader.js';
import { opensloReader } from './openslo-reader.js';
import { slothReader } from './sloth-reader.js';
import type { Slo } from './slo.js';
import { fieldOf, where, type FormatReader, type SpecDocument } from './spec-document.js';

export type { SpecFile };

function unclaimed(doc: SpecDocument): FieldProblem {
  const apiVersion = fieldOf(doc.data, 'apiVersion');
  return {
    index: doc.index,
    field: where(doc, ['apiVersion']),
    reason: `unknown spec format ${JSON.stringify(apiVersion ?? null)}; expected mlwarden.dev/v1, openslo/v1 or sloth.slok.dev/v1 (prometheus/v1)`,
  };
}

/**
 * Reads SLO specs from YAML files (one or many documents each, any supported format). Either every
 * document is valid and all SLOs are returned, or one MlwardenError lists each problem as
 * "file#document path: reason".
 */
export function loadSloSpecs(files: SpecFile[], now: number, readers: readonly FormatReader[] = SPEC_READERS): Slo[] {
  const problems: FieldProblem[] = [];
  const claimed = new Map<FormatReader, SpecDocument[]>(readers.map((r) => [r, []]));
  for (const doc of files.flatMap((f) => yamlDocuments(f, problems))) {
    const reader = readers.find((r) => r.claims(doc));
    if (reader) claimed.get(reader)?.push(doc);
    else problems.push(unclaimed(doc));
  }
  const slos: Slo[] = [];
  for (const [reader, docs] of claimed) {
    if (docs.length === 0) continue;
    const result = reader.read(docs, now);
    slos.push(...result.slos);
    problems.push(...result.problems);
  }
  const seen = new Map<string, Slo>();
  for (const slo of slos) {
    const first = seen.get(slo.name);
    if (first) problems.push({ field: `${slo.source.file}#${slo.source.document}`, reason: `SLO name "${slo.name}" is already used in ${first.source.file}#${first.source.document}` });
    seen.set(slo.name, slo);
  }
  if (problems.length > 0) {
    throw new MlwardenError('invalid', `invalid SLO specs:\n${problems.map((p) => `  ${p.field}: ${p.reason}`).join('\n')}`, { problems });
  }
  return slos;
}

/** The formats mlwarden reads, in the order they are asked to claim a document. */
export const SPEC_READERS: readonly FormatReader[] = [nativeReader, slothReader, opensloReader];
