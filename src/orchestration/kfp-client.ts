import { setTimeout as sleep } from 'node:timers/promises';
import { withBackoff, type BackoffOptions } from './backoff.js';
import { HttpStatusError, isRetryable } from './kube-errors.js';

export interface KfpOptions {
  /** The KFP API base, e.g. http://ml-pipeline.kubeflow:8888 */
  url: string;
  /** Sent as a bearer token when set. */
  token?: string | undefined;
}

export interface KfpRun {
  run_id: string;
  display_name: string;
  state?: string;
  runtime_config?: { parameters?: Record<string, unknown> };
}

export interface KfpRunRequest {
  display_name: string;
  description: string;
  experiment_id: string;
  pipeline_version_reference: { pipeline_id: string; pipeline_version_id: string };
  runtime_config: { parameters: Record<string, string> };
}

/** The Kubeflow Pipelines v2beta1 REST calls mlwarden makes: look a run up by name, start one. */
export class KfpClient {
  private readonly base: string;

  constructor(private readonly options: KfpOptions, private readonly backoff: BackoffOptions = {}) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async findRun(displayName: string, experimentId?: string): Promise<KfpRun | undefined> {
    const filter = JSON.stringify({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: displayName }] });
    const query = new URLSearchParams({ filter, page_size: '10', ...(experimentId ? { experiment_id: experimentId } : {}) });
    const body = (await withBackoff(`KFP list runs ${displayName}`, () => this.call('GET', `/apis/v2beta1/runs?${query}`), this.backoff)) as { runs?: KfpRun[] };
    return (body.runs ?? []).find((r) => r.display_name === displayName);
  }

  /**
   * Starts a run unless one with its display name exists. KFP has no idempotency key, and a create
   * whose response was lost may still have started the run, so every retry looks the name up first.
   */
  async startRunOnce(request: KfpRunRequest): Promise<{ run: KfpRun; created: boolean }> {
    const attempts = this.backoff.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const existing = await this.findRun(request.display_name, request.experiment_id);
      if (existing) return { run: existing, created: false };
      try {
        return { run: (await this.call('POST', '/apis/v2beta1/runs', request)) as KfpRun, created: true };
      } catch (error) {
        if (attempt >= attempts || !isRetryable(error)) throw error;
        await sleep(Math.min(this.backoff.maxDelayMs ?? 5_000, (this.backoff.baseDelayMs ?? 200) * 2 ** (attempt - 1)));
      }
    }
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const response = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(this.backoff.timeoutMs ?? 10_000) });
    const text = await response.text();
    if (!response.ok) throw new HttpStatusError(response.status, `KFP ${method} ${path.split('?')[0]} answered ${response.status}: ${kfpMessage(text)}`);
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }
}

function kfpMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; error_message?: string };
    return body.error_message ?? body.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
