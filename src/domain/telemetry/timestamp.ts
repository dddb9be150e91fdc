import { z } from 'zod';

/** Earliest and latest instants mlwarden accepts; anything outside is a unit mistake (seconds vs ms, µs). */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
export const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function toEpochMs(value: string | number, ctx: z.RefinementCtx): number {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else {
    if (!ISO_8601.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be ISO-8601 with a time zone (e.g. 2026-11-24T10:00:00Z) or epoch milliseconds' });
      return z.NEVER;
    }
    ms = Date.parse(value);
  }
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid instant' });
    return z.NEVER;
  }
  if (ms < MIN_TIMESTAMP_MS || ms >= MAX_TIMESTAMP_MS) {
    ctx.addIssue({ code: 'custom', message: 'is outside 2000-01-01..2200-01-01 (epoch seconds or microseconds instead of milliseconds?)' });
    return z.NEVER;
  }
  return Math.trunc(ms);
}

/** An instant as ISO-8601 text or epoch milliseconds, normalised to integer epoch ms (UTC). */
export const timestamp = z.union([z.number(), z.string()]).transform(toEpochMs);
