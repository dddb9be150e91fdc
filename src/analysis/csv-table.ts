import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { DataTable } from '../domain/drift/index.js';
import { MlwardenError } from '../domain/errors.js';

function invalidFile(file: string, reason: string, cause?: unknown): MlwardenError {
  return new MlwardenError('invalid', `${file}: ${reason}`, { problems: [{ field: file, reason }], cause });
}

function checkHeader(file: string, header: string[]): string[] {
  const names = header.map((h) => h.trim());
  const blank = names.findIndex((h) => h === '');
  if (blank >= 0) throw invalidFile(file, `line 1: column ${blank + 1} of the header row has no name`);
  const duplicate = names.find((h, i) => names.indexOf(h) !== i);
  if (duplicate !== undefined) throw invalidFile(file, `line 1: the header row names column "${duplicate}" twice`);
  return names;
}

function reasonOf(error: unknown): string {
  if (error instanceof CsvError) return `not valid CSV: ${error.message}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a CSV file';
  return `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Reads a CSV file with a header row into a table. Cells that are empty (or only spaces) become
 * null, i.e. missing values; every row must have as many cells as the header. Problems name the
 * file and the line (csv-parse reports the line of a malformed record).
 */
export async function readCsvTable(file: string): Promise<DataTable> {
  const source = createReadStream(file);
  const parser = source.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: false }));
  source.on('error', (error) => parser.destroy(error));
  let columns: string[] | undefined;
  const rows: (string | null)[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (columns === undefined) columns = checkHeader(file, record);
      else rows.push(record.map((cell) => (cell.trim() === '' ? null : cell)));
    }
  } catch (error) {
    if (error instanceof MlwardenError) throw error;
    throw invalidFile(file, reasonOf(error), error);
  }
  if (columns === undefined) throw invalidFile(file, 'is empty; a header row naming the columns is required');
  return { name: file, columns, rows };
}
