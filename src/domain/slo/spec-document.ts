import type { FieldProblem } from '../errors.js';
import type { Slo, SpecFormat } from './slo.js';
import { where, type SpecDocument } from '../yaml-documents.js';

export type { SpecDocument };
export { where };

/** A spec format (native, OpenSLO, Sloth): claims its documents and turns them into SLOs. */
export interface FormatReader {
  format: SpecFormat;
  claims(doc: SpecDocument): boolean;
  /** Reads every claimed document together (OpenSLO documents refer to each other by name). */
  read(docs: SpecDocument[], now: number): { slos: Slo[]; problems: FieldProblem[] };
}


export function fieldOf(doc: unknown, key: string): unknown {
  return typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[key] : undefined;
}
