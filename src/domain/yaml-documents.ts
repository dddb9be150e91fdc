import { parseAllDocuments } from 'yaml';
import type { FieldProblem } from './errors.js';

/** A spec file as read from disk (SLOs, policies). */
export interface SpecFile {
  name: string;
  text: string;
}

/** One YAML document of a spec file; `index` counts documents from 0 within the file. */
export interface SpecDocument {
  file: string;
  index: number;
  data: unknown;
}

/** Where a problem is, as spec errors name it: "file#document path". */
export const where = (doc: SpecDocument, path: ReadonlyArray<PropertyKey> = []): string =>
  `${doc.file}#${doc.index}${path.length > 0 ? ` ${path.map(String).join('.')}` : ''}`;

/** The non-empty documents of a multi-document YAML file; a document that is not YAML becomes a problem. */
export function yamlDocuments(file: SpecFile, problems: FieldProblem[]): SpecDocument[] {
  const docs: SpecDocument[] = [];
  parseAllDocuments(file.text).forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      problems.push({ index, field: `${file.name}#${index}`, reason: `not valid YAML: ${error.message.split('\n')[0]}` });
      return;
    }
    const data: unknown = doc.toJS();
    if (data !== null && data !== undefined) docs.push({ file: file.name, index, data });
  });
  return docs;
}
