import { isMlwardenError } from '../../domain/errors.js';
import { validateRecords, type TelemetryKind } from '../../domain/telemetry/index.js';

/**
 * What one OTLP data point or span becomes: mlwarden records, stored together or not at all (OTLP
 * counts rejections per point or span). `advance` runs once the export's records are stored.
 */
export interface ExportItem {
  what: string;
  requests: unknown[];
  features: unknown[];
  advance?: () => void;
}

export interface Rejection {
  what: string;
  reason: string;
}

function problemIn(kind: TelemetryKind, records: unknown[], now: number): string | undefined {
  try {
    validateRecords(kind, records, now);
    return undefined;
  } catch (error) {
    if (!isMlwardenError(error)) throw error;
    const problem = error.problems[0];
    return problem ? `${kind} ${problem.field} ${problem.reason}` : error.message;
  }
}

/** Splits items into those whose records all validate and rejections naming the first problem of the rest. */
export function validItems(items: readonly ExportItem[], now: number): { valid: ExportItem[]; rejected: Rejection[] } {
  const valid: ExportItem[] = [];
  const rejected: Rejection[] = [];
  for (const item of items) {
    const reason = problemIn('requests', item.requests, now) ?? problemIn('features', item.features, now);
    if (reason === undefined) valid.push(item);
    else rejected.push({ what: item.what, reason });
  }
  return { valid, rejected };
}

const SHOWN_REJECTIONS = 3;

/** The partial-success message: how many were rejected and why, for the first few. */
export function rejectionMessage(rejected: readonly Rejection[], unit: string): string {
  if (rejected.length === 0) return '';
  const shown = rejected.slice(0, SHOWN_REJECTIONS).map((r) => `${r.what}: ${r.reason}`);
  const more = rejected.length > SHOWN_REJECTIONS ? `; and ${rejected.length - SHOWN_REJECTIONS} more` : '';
  return `${rejected.length} ${unit} rejected: ${shown.join('; ')}${more}`;
}
