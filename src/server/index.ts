export { createApp } from './app.js';
export type { AppDeps } from './app.js';
export { authenticator, requireScope } from './auth.js';
export type { Authenticator, Scope, TokenConfig } from './auth.js';
export { problemResponse, STATUS_FOR } from './problem.js';
export type { Readiness } from './routes/health.js';
export { serveHttp } from './http-server.js';
export type { RunningServer } from './http-server.js';
