import { MlwardenError, type FieldProblem } from '../errors.js';
import { where, yamlDocuments, type SpecDocument, type SpecFile } from '../yaml-documents.js';
import type { Policy } from './policy.js';
import { policyFromSpec, policySpec } from './policy-spec.js';

/** A policy spec file as read from disk. */
export type PolicyFile = SpecFile;

function readOne(doc: SpecDocument): { policy?: Policy; problems: FieldProblem[] } {
  const parsed = policySpec.safeParse(doc.data);
  if (parsed.success) return { policy: policyFromSpec(parsed.data, { file: doc.file, document: doc.index }), problems: [] };
  return { problems: parsed.error.issues.map((i) => ({ index: doc.index, field: where(doc, i.path), reason: i.message })) };
}

function duplicates(policies: Policy[]): FieldProblem[] {
  const seen = new Map<string, Policy>();
  return policies.flatMap((p) => {
    const first = seen.get(p.name);
    seen.set(p.name, first ?? p);
    return first ? [{ field: `${p.source.file}#${p.source.document} metadata.name`, reason: `policy name "${p.name}" is already used in ${first.source.file}#${first.source.document}` }] : [];
  });
}

/**
 * Reads policy specs from YAML files (one or many documents each). Either every document is valid
 * and all policies are returned, or one MlwardenError ('invalid') lists each problem as
 * "file#document path: reason".
 */
export function loadPolicySpecs(files: readonly PolicyFile[]): Policy[] {
  const problems: FieldProblem[] = [];
  const results = files.flatMap((f) => yamlDocuments(f, problems)).map(readOne);
  const policies = results.flatMap((r) => (r.policy ? [r.policy] : []));
  problems.push(...results.flatMap((r) => r.problems), ...duplicates(policies));
  if (problems.length > 0) {
    throw new MlwardenError('invalid', `invalid policy specs:\n${problems.map((p) => `  ${p.field}: ${p.reason}`).join('\n')}`, { problems });
  }
  return policies;
}
