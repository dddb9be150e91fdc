import { MlwardenError } from '../domain/errors.js';

/** Credentials for a receiver: HTTP basic auth or a bearer token (not both). */
export interface HttpAuth {
  basicAuth?: { username: string; password: string } | undefined;
  bearerToken?: string | undefined;
}

/**
 * A receiver URL split into what is sent and what may be shown. Credentials in the URL (user:pass@)
 * become a basic-auth header, because fetch refuses URLs that carry them.
 */
export interface HttpTarget {
  /** The URL requests go to, without user info. */
  readonly url: string;
  /** The URL for messages and logs: no user info, query string elided. */
  readonly display: string;
  /** The Authorization header value, if any. Never logged. */
  readonly authorization: string | undefined;
}

/** `scheme://host/path`, with `?…` for a query string, which may carry a token. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search === '' ? '' : '?…'}`;
}

function parseUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MlwardenError('invalid', `${what} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MlwardenError('invalid', `${what} ${displayUrl(url)} must use http or https, not ${url.protocol}`);
  }
  return url;
}

function authorizationHeader(url: URL, auth: HttpAuth, what: string): string | undefined {
  const inUrl = url.username !== '' || url.password !== '';
  const given = [inUrl, auth.basicAuth !== undefined, auth.bearerToken !== undefined].filter(Boolean).length;
  if (given > 1) throw new MlwardenError('invalid', `${what} ${displayUrl(url)} has more than one kind of credentials (URL user info, basic auth, bearer token); use one`);
  if (auth.bearerToken !== undefined) {
    if (auth.bearerToken === '') throw new MlwardenError('invalid', `the bearer token for ${what} ${displayUrl(url)} is empty`);
    return `Bearer ${auth.bearerToken}`;
  }
  const basic = inUrl ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : auth.basicAuth;
  if (basic === undefined) return undefined;
  if (basic.username.includes(':')) throw new MlwardenError('invalid', `the basic-auth username for ${what} ${displayUrl(url)} must not contain ":"`);
  return `Basic ${Buffer.from(`${basic.username}:${basic.password}`, 'utf8').toString('base64')}`;
}

/**
 * Validates a receiver URL and its credentials. `path`, if given, is resolved against the URL as a
 * base (so `http://am:9093/prefix` + `api/v2/alerts` keeps the prefix). Errors never echo credentials.
 */
export function httpTarget(raw: string, auth: HttpAuth, what: string, path?: string): HttpTarget {
  const base = parseUrl(raw, what);
  const authorization = authorizationHeader(base, auth, what);
  base.username = '';
  base.password = '';
  let url = base;
  if (path !== undefined) {
    url = new URL(base.href);
    if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
    url = new URL(path, url);
  }
  return { url: url.href, display: displayUrl(url), authorization };
}
