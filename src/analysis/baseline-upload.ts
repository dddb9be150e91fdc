import { detectColumnType, type DataTable } from '../domain/drift/index.js';
import { MlwardenError } from '../domain/errors.js';

export interface BaselineUpload {
  server: string;
  token?: string | undefined;
  model: string;
  version?: string | undefined;
  bins?: number | undefined;
  topK?: number | undefined;
  categorical?: readonly string[] | undefined;
  method?: string | undefined;
}

/** The POST /v1/baselines body for a training-data table: one feature per column, type detected or declared. */
export function baselineRequestBody(table: DataTable, upload: BaselineUpload): Record<string, unknown> {
  const features: Record<string, { kind: 'numeric' | 'categorical'; values: Array<number | string | null> }> = {};
  table.columns.forEach((column, i) => {
    const cells = table.rows.map((row) => row[i] ?? null);
    const kind = upload.categorical?.includes(column) ? 'categorical' : detectColumnType(cells);
    features[column] = { kind, values: cells.map((c) => (c === null ? null : kind === 'numeric' ? Number(c) : c)) };
  });
  return {
    model: upload.model,
    version: upload.version ?? '',
    features,
    ...(upload.bins !== undefined ? { bins: upload.bins } : {}),
    ...(upload.topK !== undefined ? { top_k: upload.topK } : {}),
    ...(upload.method !== undefined ? { method: upload.method } : {}),
  };
}

/**
 * Registers baselines with a running mlwarden (the embedded store belongs to the serving process,
 * so the CLI goes through the API). Returns the features registered.
 */
export async function uploadBaselines(table: DataTable, upload: BaselineUpload): Promise<string[]> {
  const response = await fetch(new URL('/v1/baselines', upload.server), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(upload.token ? { authorization: `Bearer ${upload.token}` } : {}) },
    body: JSON.stringify(baselineRequestBody(table, upload)),
  });
  const text = await response.text();
  if (!response.ok) {
    let detail = text.slice(0, 2000);
    try {
      const problem = JSON.parse(text) as { detail?: string; errors?: Array<{ field: string; reason: string }> };
      detail = [problem.detail, ...(problem.errors ?? []).map((e) => `${e.field}: ${e.reason}`)].filter(Boolean).join('; ');
    } catch {
      // not problem+json: show the body as it came
    }
    throw new MlwardenError(response.status === 400 ? 'invalid' : 'unavailable', `${upload.server} refused the baselines (${response.status}): ${detail}`);
  }
  return (JSON.parse(text) as Array<{ feature: string }>).map((b) => b.feature);
}
