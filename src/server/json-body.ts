import type { Context } from 'hono';
import type { z } from 'zod';
import { MlwardenError } from '../domain/errors.js';
import { bodyFormat } from '../ingest/index.js';

/**
 * Reads an application/json body and validates it, naming each bad field and why. With `allowEmpty`,
 * a request without a body (no content type, nothing sent) is validated as `undefined`.
 */
export async function parseJsonBody<T extends z.ZodType>(c: Context, schema: T, options: { allowEmpty?: boolean } = {}): Promise<z.output<T>> {
  const text = await c.req.text();
  const empty = text.trim() === '' && c.req.header('content-type') === undefined;
  if (!(options.allowEmpty && empty) && bodyFormat(c.req.header('content-type')) !== 'json') throw new MlwardenError('unsupported-media-type', 'send Content-Type: application/json');
  let raw: unknown;
  try {
    raw = options.allowEmpty && text.trim() === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw new MlwardenError('invalid', 'body is not valid JSON', { problems: [{ field: '(body)', reason: (error as Error).message }] });
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ field: i.path.length > 0 ? i.path.join('.') : '(body)', reason: i.message }));
  throw new MlwardenError('invalid', 'invalid request body', { problems });
}
