import { Counter, Gauge, type Registry } from 'prom-client';
import { breakerOpen, guardrailState, type Policy } from '../domain/policy/index.js';
import { actionRecordOf, type ActionEntry } from '../store/index.js';

const WAITING = ['proposed', 'awaiting-approval', 'running'] as const;

/** Per-policy figures on /metrics: decisions and outcomes, actions waiting, the circuit breaker. */
export class PolicyMetrics {
  private readonly transitions: Counter<'policy' | 'kind' | 'status'>;
  private readonly waiting: Gauge<'policy' | 'status'>;
  private readonly oldestApproval: Gauge<'policy'>;
  private readonly breaker: Gauge<'policy'>;
  private readonly lastPass: Gauge;

  constructor(registry: Registry, private readonly now: () => number) {
    const registers = [registry];
    this.transitions = new Counter({ name: 'mlwarden_policy_actions_total', help: 'Actions by the state they entered (proposed, dry-run, awaiting-approval, denied, rejected, running, done, failed).', labelNames: ['policy', 'kind', 'status'], registers });
    this.waiting = new Gauge({ name: 'mlwarden_policy_actions_in_flight', help: 'Actions not finished yet, by state.', labelNames: ['policy', 'status'], registers });
    this.oldestApproval = new Gauge({ name: 'mlwarden_policy_oldest_awaiting_approval_seconds', help: 'Age of the oldest action awaiting approval (0 when none).', labelNames: ['policy'], registers });
    this.lastPass = new Gauge({ name: 'mlwarden_policy_last_pass_timestamp_seconds', help: 'When this replica last finished a policy engine pass (only the leader runs passes).', registers });
    this.breaker = new Gauge({ name: 'mlwarden_policy_circuit_breaker_open', help: '1 while the policy\'s circuit breaker is open after repeated failed actions.', labelNames: ['policy'], registers });
  }

  transition(entry: ActionEntry): void {
    this.transitions.inc({ policy: entry.policy, kind: entry.kind, status: entry.status });
  }

  /** Recomputes the gauges from the latest state of every action, at the end of a pass. */
  observe(policies: readonly Policy[], entries: readonly ActionEntry[]): void {
    const now = this.now();
    this.lastPass.set(now / 1000);
    const latest = new Map<string, ActionEntry>();
    for (const e of entries) if ((latest.get(e.id)?.updated_at ?? -Infinity) <= e.updated_at) latest.set(e.id, e);
    const all = [...latest.values()];
    const history = all.map(actionRecordOf);
    for (const p of policies) {
      const own = all.filter((e) => e.policy === p.name);
      for (const status of WAITING) this.waiting.set({ policy: p.name, status }, own.filter((e) => e.status === status).length);
      const oldest = Math.min(...own.filter((e) => e.status === 'awaiting-approval').map((e) => e.created_at));
      this.oldestApproval.set({ policy: p.name }, Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0);
      this.breaker.set({ policy: p.name }, breakerOpen(guardrailState(history, p.name, now), p.guardrails.circuitBreaker, now) ? 1 : 0);
    }
  }
}
