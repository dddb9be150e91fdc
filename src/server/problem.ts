import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isMlwardenError, MlwardenError, type ErrorKind } from '../domain/errors.js';

/** The one place error kinds become HTTP statuses. */
export const STATUS_FOR: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  overloaded: 429,
  unavailable: 503,
  internal: 500,
};

const TITLES: Record<ErrorKind, string> = {
  invalid: 'Invalid request',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict',
  'too-large': 'Request too large',
  'unsupported-media-type': 'Unsupported media type',
  overloaded: 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

/** Renders any error as RFC 9457 application/problem+json; unknown errors never leak their message. */
export function problemResponse(c: Context, error: unknown): Response {
  const known = isMlwardenError(error) ? error : new MlwardenError('internal', 'an unexpected error occurred; see the server log');
  const status = STATUS_FOR[known.kind];
  const body = {
    type: `https://mlwarden.dev/problems/${known.kind}`,
    title: TITLES[known.kind],
    status,
    detail: known.message,
    ...(known.problems.length > 0 ? { errors: known.problems } : {}),
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (known.retryAfterSeconds !== undefined) headers['retry-after'] = String(known.retryAfterSeconds);
  if (known.kind === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="mlwarden"';
  return c.body(JSON.stringify(body), status, headers);
}
