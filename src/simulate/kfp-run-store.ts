import { randomUUID } from 'node:crypto';
import { kfpErrors } from './kfp-error.js';
import { parseRunFilter } from './kfp-filter.js';
import { kfpTimestamp, TERMINAL_STATES, ZERO_TIME, type KfpRun, type KfpRunState } from './kfp-run.js';

export interface CreateRunRequest {
  display_name?: unknown;
  description?: unknown;
  experiment_id?: unknown;
  service_account?: unknown;
  pipeline_version_reference?: { pipeline_id?: unknown; pipeline_version_id?: unknown };
  runtime_config?: { parameters?: Record<string, unknown>; pipeline_root?: unknown };
}

export interface ListRunsQuery {
  experimentId?: string;
  pageSize?: string;
  pageToken?: string;
  sortBy?: string;
  filter?: string;
}

export interface ListRunsPage {
  runs?: KfpRun[];
  total_size?: number;
  next_page_token?: string;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;

/** Runs and the pipeline versions they may reference, kept in memory. */
export class KfpRunStore {
  private readonly runsById = new Map<string, KfpRun>();
  private readonly versions = new Map<string, string>();
  readonly defaultExperimentId = randomUUID();

  constructor(private readonly now: () => number) {}

  addPipelineVersion(pipelineId: string, versionId: string, displayName?: string): void {
    this.versions.set(`${pipelineId}/${versionId}`, displayName ?? versionId);
  }

  pipelineVersion(pipelineId: string, versionId: string): { pipeline_id: string; pipeline_version_id: string; display_name: string } {
    const displayName = this.versions.get(`${pipelineId}/${versionId}`);
    if (displayName === undefined) throw kfpErrors.notFound('PipelineVersion', versionId);
    return { pipeline_id: pipelineId, pipeline_version_id: versionId, display_name: displayName };
  }

  create(request: CreateRunRequest): KfpRun {
    if (typeof request.display_name !== 'string' || request.display_name.trim() === '') throw kfpErrors.invalid('The input run has an empty display name');
    const ref = request.pipeline_version_reference;
    if (typeof ref?.pipeline_id !== 'string' || typeof ref.pipeline_version_id !== 'string') {
      throw kfpErrors.invalid('Run must reference a pipeline version (pipeline_version_reference.pipeline_id and pipeline_version_id)');
    }
    this.pipelineVersion(ref.pipeline_id, ref.pipeline_version_id);
    const at = kfpTimestamp(this.now());
    const run: KfpRun = {
      experiment_id: typeof request.experiment_id === 'string' && request.experiment_id !== '' ? request.experiment_id : this.defaultExperimentId,
      run_id: randomUUID(),
      display_name: request.display_name,
      storage_state: 'AVAILABLE',
      pipeline_version_reference: { pipeline_id: ref.pipeline_id, pipeline_version_id: ref.pipeline_version_id },
      runtime_config: { parameters: { ...(request.runtime_config?.parameters ?? {}) } },
      created_at: at,
      scheduled_at: at,
      finished_at: ZERO_TIME,
      state: 'PENDING',
      state_history: [{ update_time: at, state: 'PENDING' }],
    };
    if (typeof request.description === 'string') run.description = request.description;
    if (typeof request.service_account === 'string') run.service_account = request.service_account;
    if (typeof request.runtime_config?.pipeline_root === 'string') run.runtime_config.pipeline_root = request.runtime_config.pipeline_root;
    this.runsById.set(run.run_id, run);
    return structuredClone(run);
  }

  get(runId: string): KfpRun {
    const run = this.runsById.get(runId);
    if (run === undefined) throw kfpErrors.notFound('Run', runId);
    return structuredClone(run);
  }

  all(): KfpRun[] {
    return [...this.runsById.values()].map((run) => structuredClone(run));
  }

  setState(runId: string, state: KfpRunState, error?: string): void {
    const run = this.runsById.get(runId);
    if (run === undefined) throw kfpErrors.notFound('Run', runId);
    const at = kfpTimestamp(this.now());
    const status = error === undefined ? undefined : { code: 2, message: error, details: [] };
    run.state = state;
    run.state_history.push(status === undefined ? { update_time: at, state } : { update_time: at, state, error: status });
    if (status !== undefined) run.error = status;
    if (TERMINAL_STATES.has(state)) run.finished_at = at;
  }

  /** One page of runs; the token carries the offset, the page size and the query it belongs to. */
  list(query: ListRunsQuery): ListRunsPage {
    const token = decodeToken(query.pageToken);
    const sortBy = token?.sortBy ?? query.sortBy ?? '';
    const filter = token?.filter ?? query.filter;
    const experimentId = token?.experimentId ?? query.experimentId;
    const candidates = [...this.runsById.values()];
    if (/\sdesc$/i.test(sortBy.trim())) candidates.reverse(); // so that equal keys come newest first
    const matching = candidates
      .filter((run) => experimentId === undefined || experimentId === '' || run.experiment_id === experimentId)
      .filter(parseRunFilter(filter))
      .sort(comparatorFor(sortBy));
    const pageSize = Math.min(MAX_PAGE_SIZE, Number(query.pageSize ?? token?.pageSize ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE);
    const offset = token?.offset ?? 0;
    const runs = matching.slice(offset, offset + pageSize).map((run) => structuredClone(run));
    const page: ListRunsPage = {};
    // proto3 JSON leaves out empty lists and zero numbers, as grpc-gateway does.
    if (runs.length > 0) page.runs = runs;
    if (matching.length > 0) page.total_size = matching.length;
    if (offset + pageSize < matching.length) page.next_page_token = encodeToken({ offset: offset + pageSize, pageSize, sortBy, filter, experimentId });
    return page;
  }
}

interface PageToken {
  offset: number;
  pageSize: number;
  sortBy: string;
  filter?: string;
  experimentId?: string;
}

const encodeToken = (token: PageToken): string => Buffer.from(JSON.stringify(token)).toString('base64url');

function decodeToken(token: string | undefined): PageToken | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (typeof parsed.offset === 'number' && typeof parsed.pageSize === 'number') return parsed;
  } catch {
    // reported below
  }
  throw kfpErrors.invalid(`invalid page token ${token}`);
}

const SORT_KEYS: Readonly<Record<string, (run: KfpRun) => string>> = {
  created_at: (run) => run.created_at,
  display_name: (run) => run.display_name,
  name: (run) => run.display_name,
};

/** `sort_by` is "field" or "field desc"; ties keep creation order. Default: oldest first. */
function comparatorFor(sortBy: string): (a: KfpRun, b: KfpRun) => number {
  const [field = 'created_at', direction = 'asc'] = sortBy.trim().split(/\s+/).filter((s) => s !== '');
  const key = SORT_KEYS[field];
  if (key === undefined) throw kfpErrors.invalid(`sort_by field ${field} is not supported`);
  const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka === kb ? 0 : ka < kb ? -sign : sign;
  };
}
