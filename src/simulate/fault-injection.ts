import { KubeApiError } from './kube-status.js';

/** One injected failure: which requests it hits, what they get, and how many times. */
export interface FaultRule {
  /** HTTP method to match (any when unset). */
  method?: string;
  /** Matches the request path (a substring, or a regular expression). */
  path?: string | RegExp;
  /** Answer with this status code as a Status object; unset means only delay. */
  status?: number;
  /** Wait this long before handling (longer than a client's timeout simulates a timeout). */
  delayMs?: number;
  /** Apply the write first, then fail the response: the client cannot tell it happened. */
  afterWrite?: boolean;
  /** How many matching requests to hit (default 1). */
  times?: number;
}

const REASONS: Readonly<Record<number, string>> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The Status a faulted request is answered with. */
export function faultError(status: number): KubeApiError {
  return new KubeApiError(status, REASONS[status] ?? 'Unknown', `injected fault: HTTP ${status}`);
}

/** Failures tests inject into the emulator (500s, 429s, 409s, slow answers), consumed in order. */
export class FaultInjector {
  private readonly rules: Array<{ rule: FaultRule; remaining: number }> = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The first rule matching this request, using up one of its hits. */
  take(method: string, path: string): FaultRule | undefined {
    const index = this.rules.findIndex(({ rule }) => matches(rule, method, path));
    const entry = this.rules[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.rules.splice(index, 1);
    return entry.rule;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}
