import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MlwardenError } from '../../src/domain/errors.js';
import { parseScenario } from '../../src/simulate/index.js';

const DEMO = readFileSync(resolve(import.meta.dirname, '../../examples/demo/scenario.yaml'), 'utf8');

const MINIMAL = `
apiVersion: mlwarden.dev/v1
kind: DemoScenario
gpu_pool: { gpus: 4 }
priority_classes: { low: 100 }
models:
  - name: fraud
    serving: kserve
    requests_per_minute: 100
    version: v1
    versions: { v1: { latency_ms: { p50: 40, p99: 200 } } }
    features: { amount: { mean: 10, sd: 2 } }
pipelines: [{ name: etl, every: 10m, duration: 5m }]
`;

function problemsOf(yaml: string): Array<{ field: string; reason: string }> {
  try {
    parseScenario(yaml, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(MlwardenError);
    expect((error as MlwardenError).message).toMatch(/^test\.yaml is invalid: /);
    return (error as MlwardenError).problems.map((p) => ({ field: p.field, reason: p.reason }));
  }
  throw new Error('the scenario was accepted');
}

const withEvents = (events: string) => `${MINIMAL}events:\n${events}`;

describe('reading a demo scenario', () => {
  test('the shipped demo scenario reads, with durations in milliseconds and events in time order', () => {
    const s = parseScenario(DEMO);
    expect(s.backfill).toBe(3 * 86_400_000);
    expect(s.models.map((m) => m.name)).toEqual(['fraud', 'churn', 'ranking']);
    expect(s.events.map((e) => e.at)).toEqual([...s.events.map((e) => e.at)].sort((a, b) => a - b));
    expect(s.events[0]).toEqual({ at: 180_000, rollout: { model: 'fraud', version: 'v2' } });
  });

  test('defaults fill what a minimal scenario leaves out', () => {
    const s = parseScenario(MINIMAL);
    expect(s).toMatchObject({ seed: 1, backfill: 3 * 86_400_000, jobs: [], events: [], gpu_pool: { gpus: 4, nodes: 1 } });
    expect(s.models[0]).toMatchObject({ namespace: 'serving', observations_per_minute: 30 });
    expect(s.pipelines[0]).toMatchObject({ namespace: 'pipelines', every: 600_000, failure_rate: 0 });
  });

  test.each([
    ['a duration without a unit', withEvents('  - { at: 5, rollout: { model: fraud, version: v1 } }'), 'events.0.at'],
    ['a duration that is not one', withEvents('  - { at: soon, rollout: { model: fraud, version: v1 } }'), 'events.0.at'],
    ['a rollout of an unknown version', withEvents('  - { at: 5m, rollout: { model: fraud, version: v9 } }'), 'events.0.rollout.version'],
    ['a rollout of an unknown model', withEvents('  - { at: 5m, rollout: { model: churn, version: v1 } }'), 'events.0.rollout.model'],
    ['drift of a feature the model does not have', withEvents('  - { at: 5m, drift: { model: fraud, feature: country, to: { mean: 1, sd: 1 } } }'), 'events.0.drift.feature'],
    ['a job with an undeclared priority class', withEvents('  - { at: 5m, submit_job: { name: big, priority: urgent, gpus: 2 } }'), 'events.0.submit_job.priority'],
    ['a failing pipeline that does not exist', withEvents('  - { at: 5m, pipeline_failing: { pipeline: train, failure_rate: 0.5 } }'), 'events.0.pipeline_failing.pipeline'],
    ['a failure rate above 1', withEvents('  - { at: 5m, pipeline_failing: { pipeline: etl, failure_rate: 3 } }'), 'events.0.pipeline_failing.failure_rate'],
    ['an initial version that is not among the versions', MINIMAL.replace('version: v1\n', 'version: v2\n'), 'models.0.version'],
    ['a p99 under the p50', MINIMAL.replace('p50: 40, p99: 200', 'p50: 400, p99: 200'), 'models.0.versions.v1.latency_ms'],
    ['a misspelt field', MINIMAL.replace('requests_per_minute', 'request_per_minute'), 'models.0'],
    ['no GPU pool', MINIMAL.replace('gpu_pool: { gpus: 4 }\n', ''), 'gpu_pool'],
  ])('%s is refused, naming the field', (_, yaml, field) => {
    expect(problemsOf(yaml).map((p) => p.field)).toContain(field);
  });

  test('an event that is none of the known kinds says which kinds there are', () => {
    const problems = problemsOf(withEvents('  - { at: 5m, explode: { model: fraud } }'));
    expect(problems).toContainEqual({ field: 'events.0', reason: expect.stringContaining('unknown field explode: an event is { at, rollout | drift | submit_job | pipeline_failing }') });
  });

  test('an event must be exactly one kind of thing', () => {
    expect(problemsOf(withEvents('  - { at: 5m }'))).toContainEqual({ field: 'events.0', reason: expect.stringContaining('this one has none') });
    expect(problemsOf(withEvents('  - { at: 5m, rollout: { model: fraud, version: v1 }, pipeline_failing: { pipeline: etl, failure_rate: 1 } }'))).toContainEqual({
      field: 'events.0',
      reason: expect.stringContaining('this one has rollout and pipeline_failing'),
    });
  });

  test('YAML that does not parse is refused with the file named', () => {
    expect(() => parseScenario('models: [', 'broken.yaml')).toThrow(/^broken\.yaml is not valid YAML/);
  });
});
