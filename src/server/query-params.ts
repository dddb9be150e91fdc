import type { z } from 'zod';
import { MlwardenError } from '../domain/errors.js';

/** Validates query-string parameters, naming each bad parameter and why. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ field: i.path.length > 0 ? i.path.join('.') : (i as { keys?: string[] }).keys?.join(',') ?? '(query)', reason: i.message }));
  throw new MlwardenError('invalid', 'invalid query parameters', { problems });
}
