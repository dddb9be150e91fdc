import { MlwardenError } from '../domain/errors.js';

export type BodyFormat = 'json' | 'ndjson';

const FORMATS: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
};

/** The body format a Content-Type names, or a 415 error listing the accepted types. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format = FORMATS[mediaType];
  if (!format) {
    throw new MlwardenError('unsupported-media-type', `Content-Type "${mediaType || '(none)'}" is not accepted; send application/json (an array) or application/x-ndjson (one record per line)`);
  }
  return format;
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MlwardenError('invalid', `body is not valid JSON`, { problems: [{ field, reason: (error as Error).message }] });
  }
}

function parseNdjson(text: string): unknown[] {
  const records: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    records.push(parseJson(line, `line ${i + 1}`));
  }
  return records;
}

/** Parses a request body into records: a JSON array (or one object), or NDJSON lines. */
export function parseRecords(text: string, format: BodyFormat): unknown[] {
  if (format === 'ndjson') return parseNdjson(text);
  const parsed = parseJson(text, '(body)');
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null) return [parsed];
  throw new MlwardenError('invalid', 'body must be a JSON array of records or one record object', {
    problems: [{ field: '(body)', reason: `got ${parsed === null ? 'null' : typeof parsed}` }],
  });
}
