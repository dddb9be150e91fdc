import { z } from 'zod';

/** Shared field shapes for telemetry records; label-like strings are bounded so one record cannot bloat a column. */
export const MAX_LABEL_LENGTH = 256;

export const label = z.string().max(MAX_LABEL_LENGTH);
export const optionalLabel = label.default('');
export const requiredLabel = label.min(1, 'must not be empty');
export const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const nonNegative = z.number().min(0);
export const labels = z.record(label, z.string().max(4096)).default({});
