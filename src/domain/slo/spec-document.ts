import type { FieldProblem } from '../errors.js';
import type { Slo, SpecFormat } from './slo.js';

/** One YAML document of a spec file; `index` counts documents from 0 within the file. */
export interface SpecDocument {
  file: string;
  index: number;
  data: unknown;
}

/** A spec format (native, OpenSLO, Sloth): claims its documents and turns them into SLOs. */
export interface FormatReader {
  format: SpecFormat;
  claims(doc: SpecDocument): boolean;
  /** Reads every claimed document together (OpenSLO documents refer to each other by name). */
  read(docs: SpecDocument[], now: number): { slos: Slo[]; problems: FieldProblem[] };
}

export const where = (doc: SpecDocument, path: ReadonlyArray<PropertyKey> = []): string =>
  `${doc.file}#${doc.index}${path.length > 0 ? ` ${path.map(String).join('.')}` : ''}`;

export function fieldOf(doc: unknown, key: string): unknown {
  return typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[key] : undefined;
}
