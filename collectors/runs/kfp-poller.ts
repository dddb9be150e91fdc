import { PollBackoff } from '../poll-backoff.js';
import { kfpRunRow } from './kfp-runs.js';
import { listAt, objectAt, stringAt, type KubeObject } from './kube-object.js';
import type { RunRecord } from './run-record.js';

export interface KfpPollerOptions {
  /** KFP API base URL, e.g. http://ml-pipeline.kubeflow:8888 */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  intervalMs: number;
  experimentId?: string;
  pageSize?: number;
  /** Pages read per poll (newest runs first); older runs are left alone. Default 10. */
  maxPages?: number;
}

export interface KfpPollerHooks {
  rows(rows: RunRecord[]): void;
  succeeded(): void;
  failed(reason: string): void;
  now(): number;
}

class KfpHttpError extends Error {
  constructor(readonly status: number) {
    super(`KFP answered HTTP ${status}`);
  }
}

/**
 * Polls GET /apis/v2beta1/runs, newest first, and hands every run's current row to the collector
 * (whose ledger keeps only changes). Failures back off; the loop never throws.
 */
export class KfpPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> | undefined;
  private readonly backoff: PollBackoff;

  constructor(private readonly options: KfpPollerOptions, private readonly hooks: KfpPollerHooks, backoff?: PollBackoff) {
    if (!/^https?:\/\//.test(options.url)) throw new Error(`kfp.url must be an http(s) URL, got "${options.url}"`);
    if (!(options.intervalMs > 0)) throw new Error(`kfp.intervalMs must be positive, got ${options.intervalMs}`);
    this.backoff = backoff ?? new PollBackoff(options.intervalMs, Math.max(options.intervalMs * 32, 60_000));
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.inFlight;
  }

  /** One poll: every page (up to maxPages), then the rows, all or nothing. */
  async poll(): Promise<void> {
    const rows: RunRecord[] = [];
    let token = '';
    for (let page = 0; page < (this.options.maxPages ?? 10); page += 1) {
      const body = await this.fetchPage(token);
      rows.push(...listAt(body.runs).map((run: KubeObject) => kfpRunRow(run, this.hooks.now())));
      token = stringAt(body.next_page_token);
      if (token === '') break;
    }
    this.hooks.rows(rows);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.pollSafely().then((next) => this.schedule(next));
    }, delayMs);
  }

  private async pollSafely(): Promise<number> {
    try {
      await this.poll();
      this.hooks.succeeded();
      return this.backoff.succeeded();
    } catch (error) {
      this.hooks.failed(error instanceof KfpHttpError ? `kfp_http_${error.status}` : 'kfp_unreachable');
      return this.backoff.failed();
    }
  }

  private async fetchPage(pageToken: string): Promise<KubeObject> {
    const query = new URLSearchParams({ page_size: String(this.options.pageSize ?? 100), sort_by: 'created_at desc' });
    if (pageToken !== '') query.set('page_token', pageToken);
    if (this.options.experimentId !== undefined) query.set('experiment_id', this.options.experimentId);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const response = await fetch(`${this.options.url.replace(/\/$/, '')}/apis/v2beta1/runs?${query}`, { headers, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new KfpHttpError(response.status);
    return objectAt(await response.json());
  }
}
