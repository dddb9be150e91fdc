import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { MlwardenError } from '../domain/errors.js';

/** ingest: push telemetry; read: query the API; admin: everything, incl. actions and approvals. */
export type Scope = 'ingest' | 'read' | 'admin';

export interface TokenConfig {
  ingestTokens: readonly string[];
  adminTokens: readonly string[];
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Compares against every configured token in constant time (fixed-length digests, no early exit). */
function matches(presented: Buffer, candidates: readonly Buffer[]): boolean {
  let found = false;
  for (const candidate of candidates) found = timingSafeEqual(presented, candidate) || found;
  return found;
}

export interface Authenticator {
  readonly enabled: boolean;
  /** The scopes a presented bearer token grants; empty when unknown. */
  scopesOf(token: string): Set<Scope>;
}

export function authenticator(config: TokenConfig): Authenticator {
  const ingest = config.ingestTokens.map(digest);
  const admin = config.adminTokens.map(digest);
  return {
    enabled: ingest.length + admin.length > 0,
    scopesOf(token) {
      const presented = digest(token);
      if (matches(presented, admin)) return new Set<Scope>(['admin', 'ingest', 'read']);
      if (matches(presented, ingest)) return new Set<Scope>(['ingest', 'read']);
      return new Set();
    },
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** 401 without a known token, 403 with a token that lacks the scope. Open when no tokens are configured. */
export function requireScope(auth: Authenticator, scope: Scope): MiddlewareHandler {
  return async (c, next) => {
    if (auth.enabled) {
      const token = bearerToken(c.req.header('authorization'));
      if (token === undefined) throw new MlwardenError('unauthorized', 'send Authorization: Bearer <token>');
      const scopes = auth.scopesOf(token);
      if (scopes.size === 0) throw new MlwardenError('unauthorized', 'the bearer token is not recognised');
      if (!scopes.has(scope)) throw new MlwardenError('forbidden', `this token does not grant the ${scope} scope`);
    }
    await next();
  };
}

/** The token of `Authorization: Basic` (any user name, the token as password): what a browser sends after its login prompt. */
function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * For pages people open in a browser: a read token as a bearer token or as the password of HTTP
 * Basic authentication (the browser asks for it; the user name is ignored). Without one, 401 with
 * a Basic challenge. Open when no tokens are configured, like the API.
 */
export function requireViewer(auth: Authenticator): MiddlewareHandler {
  return async (c, next) => {
    if (auth.enabled) {
      const header = c.req.header('authorization');
      const token = bearerToken(header) ?? basicPassword(header);
      if (token === undefined || !auth.scopesOf(token).has('read')) {
        return c.text('Sign in with an mlwarden ingest or admin token as the password (any user name).', 401, { 'www-authenticate': 'Basic realm="mlwarden", charset="UTF-8"', 'cache-control': 'no-store' });
      }
    }
    await next();
  };
}
