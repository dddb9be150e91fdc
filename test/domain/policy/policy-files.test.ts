import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../../src/domain/errors.js';
import { loadPolicySpecs } from '../../../src/domain/policy/index.js';
import { HOUR, MIN, PREEMPT, RETRAIN, ROLLBACK, policy } from './fixtures.js';

function problemsOf(text: string, name = 'policies.yaml'): Array<{ field: string; reason: string }> {
  try {
    loadPolicySpecs([{ name, text }]);
  } catch (error) {
    if (error instanceof MlwardenError) {
      expect(error.kind).toBe('invalid');
      return error.problems.map((p) => ({ field: p.field, reason: p.reason }));
    }
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

const doc = (spec: string, name = 'p') => `apiVersion: mlwarden.dev/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^\n/, '').replace(/^/gm, '  ')}`;

describe('policy specs', () => {
  test('a file with several documents gives one policy per document, with defaults filled in', () => {
    const text = [doc(RETRAIN, 'retrain-fraud'), doc(ROLLBACK, 'rollback-fraud'), doc(PREEMPT, 'preempt-gpus')].join('\n---\n');
    const policies = loadPolicySpecs([{ name: 'policies.yaml', text }]);
    expect(policies.map((p) => [p.name, p.trigger.type, p.action.type, p.source.document])).toEqual([
      ['retrain-fraud', 'drift_episode', 'retrain', 0],
      ['rollback-fraud', 'slo_alert', 'rollback', 1],
      ['preempt-gpus', 'gpu_pending', 'preempt', 2],
    ]);
    expect(policies[0]?.guardrails).toEqual({
      dryRun: false, requireApproval: false, cooldownMs: HOUR, maxConcurrent: 1, maxPerHour: 6, blastRadius: 0.5,
      circuitBreaker: { failures: 3, resetAfterMs: HOUR }, freeze: [], freezeWhenUnknown: false,
    });
    expect(policies[2]?.action).toEqual({ type: 'preempt', resume: true, gracePeriodMs: 5 * MIN, minRuntimeMs: 10 * MIN, maxPreemptionsPerJob: 2, preemptionWindowMs: 24 * HOUR });
  });

  test('every trigger, action target and guardrail is read into the engine\'s units', () => {
    const p = policy(`
trigger:
  gpu_idle: { below_percent: 10, for: 30m }
action:
  preempt: {}
guardrails:
  dry_run: true
  require_approval: true
  cooldown: 2h
  max_concurrent: 2
  max_per_hour: 4
  blast_radius: 0.25
  circuit_breaker: { failures: 5, reset_after: 30m }
  freeze:
    - budget_below: { slo: fraud-latency, below: 0.1 }
`);
    expect(p.trigger).toEqual({ type: 'gpu_idle', maxUtilization: 0.1, forMs: 30 * MIN });
    expect(p.guardrails).toMatchObject({ dryRun: true, requireApproval: true, cooldownMs: 2 * HOUR, maxConcurrent: 2, maxPerHour: 4, blastRadius: 0.25, circuitBreaker: { failures: 5, resetAfterMs: 30 * MIN }, freeze: [{ slo: 'fraud-latency', below: 0.1 }] });
    const argo = policy(`trigger:\n  drift_episode: { model: m }\naction:\n  retrain: { target: { argo: { workflow_template: retrain-m, namespace: ml } } }`);
    expect(argo.action).toEqual({ type: 'retrain', target: { kind: 'argo', workflowTemplate: 'retrain-m', namespace: 'ml', parameters: {} } });
    const job = policy(`trigger:\n  slo_alert: { slo: s }\naction:\n  retrain: { target: { job: { template: retrain-job } } }`);
    expect(job.action).toEqual({ type: 'retrain', target: { kind: 'job', template: 'retrain-job', namespace: 'default', parameters: {} } });
  });

  test.each([
    ['a trigger with two kinds names both', `trigger:\n  drift_episode: { model: m }\n  slo_alert: { slo: s }\naction:\n  retrain: { target: { job: { template: t } } }`,
      { field: 'policies.yaml#0 spec.trigger', reason: 'give exactly one of drift_episode, slo_alert, gpu_pending, gpu_idle (got drift_episode, slo_alert)' }],
    ['an unknown trigger field is named by its path', `trigger:\n  drift_episode: { model: m, min_psy: 0.2 }\naction:\n  retrain: { target: { job: { template: t } } }`,
      { field: 'policies.yaml#0 spec.trigger.drift_episode', reason: expect.stringContaining('min_psy') }],
    ['a bad duration says what a duration looks like', `trigger:\n  gpu_pending: { for: soon, min_priority: 1 }\naction:\n  preempt: {}`,
      { field: 'policies.yaml#0 spec.trigger.gpu_pending.for', reason: '"soon" is not a duration like 5m, 1h, 30d' }],
    ['a KFP target needs its pipeline version', `trigger:\n  drift_episode: { model: m }\naction:\n  retrain: { target: { kfp: { pipeline_id: p, experiment_id: e } } }`,
      { field: 'policies.yaml#0 spec.action.retrain.target.kfp.pipeline_version_id', reason: expect.any(String) }],
    ['a rollback needs a kind (kserve or deployment)', `trigger:\n  slo_alert: { slo: s }\naction:\n  rollback: { kind: argo }`,
      { field: 'policies.yaml#0 spec.action.rollback.kind', reason: expect.stringContaining('kserve') }],
    ['a trigger that cannot drive the action says which actions it can', `trigger:\n  gpu_idle: { below_percent: 5, for: 1h }\naction:\n  retrain: { target: { job: { template: t } } }`,
      { field: 'policies.yaml#0 spec.action', reason: 'a gpu_idle trigger cannot drive retrain; use preempt' }],
    ['a budget freeze fraction above 1 is refused', `${PREEMPT}guardrails:\n  freeze: [ { budget_below: { slo: s, below: 10 } } ]`,
      { field: 'policies.yaml#0 spec.guardrails.freeze.0.budget_below.below', reason: expect.any(String) }],
    ['a blast radius of zero is refused', `${PREEMPT}guardrails: { blast_radius: 0 }`,
      { field: 'policies.yaml#0 spec.guardrails.blast_radius', reason: expect.any(String) }],
  ])('%s', (_sentence, spec, problem) => {
    expect(problemsOf(doc(spec))).toContainEqual(problem);
  });

  test('problems name the file and document of each bad spec, and a reused name points at the first use', () => {
    const text = [doc(RETRAIN, 'a'), 'kind: [unclosed', doc(RETRAIN, 'a')].join('\n---\n');
    const problems = problemsOf(text, 'ops.yaml');
    expect(problems.map((p) => p.field)).toEqual(['ops.yaml#1', 'ops.yaml#2 metadata.name']);
    expect(problems[1]?.reason).toBe('policy name "a" is already used in ops.yaml#0');
  });

  test('a document of another kind is refused with the expected apiVersion/kind', () => {
    const problems = problemsOf('apiVersion: mlwarden.dev/v1\nkind: SLO\nmetadata: { name: x }\nspec: {}');
    expect(problems[0]?.field).toBe('policies.yaml#0 kind');
  });
});

describe('the example policy file', () => {
  test('testdata/kubeflow-policies.yaml loads: one policy per action the engine takes', () => {
    const text = readFileSync(new URL('./testdata/kubeflow-policies.yaml', import.meta.url), 'utf8');
    const policies = loadPolicySpecs([{ name: 'kubeflow-policies.yaml', text }]);
    expect(policies.map((p) => `${p.trigger.type} → ${p.action.type}`)).toEqual(['drift_episode → retrain', 'slo_alert → rollback', 'gpu_pending → preempt', 'gpu_idle → preempt']);
    expect(policies[0]?.guardrails.freeze).toEqual([{ slo: 'fraud-latency', below: 0.1 }]);
  });
});
