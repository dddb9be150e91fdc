import { pino, type Logger } from 'pino';

/** Structured JSON logs to stdout; credentials are redacted wherever they appear in a log object. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'mlwarden' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.password', '*.token', '*.tokens', '*.ingest_tokens', '*.admin_tokens', 'req.headers.authorization', '*.authorization'],
      censor: '[redacted]',
    },
  });
}
