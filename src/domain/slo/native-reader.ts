import type { z } from 'zod';
import type { FieldProblem } from '../errors.js';
import { nativeSpec, sloFromNative } from './native-spec.js';
import type { Slo } from './slo.js';
import { fieldOf, where, type FormatReader, type SpecDocument } from './spec-document.js';

function readOne(doc: SpecDocument, now: number): { slo?: Slo; problems: FieldProblem[] } {
  const schema = nativeSpec.transform((spec, ctx: z.RefinementCtx) => sloFromNative(spec, { format: 'native', file: doc.file, document: doc.index }, now, ctx));
  const parsed = schema.safeParse(doc.data);
  if (parsed.success) return { slo: parsed.data, problems: [] };
  return { problems: parsed.error.issues.map((i) => ({ index: doc.index, field: where(doc, i.path), reason: i.message })) };
}

export const nativeReader: FormatReader = {
  format: 'native',
  claims: (doc) => fieldOf(doc.data, 'apiVersion') === 'mlwarden.dev/v1',
  read(docs, now) {
    const results = docs.map((d) => readOne(d, now));
    return { slos: results.flatMap((r) => (r.slo ? [r.slo] : [])), problems: results.flatMap((r) => r.problems) };
  },
};
