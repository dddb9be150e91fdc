import { describe, expect, test } from 'vitest';
import {
  decideResumes, evaluatePolicy, recordOf, selectVictims, type ActionRecord, type GpuJob, type GpuIdleSignal, type VictimRules,
} from '../../../src/domain/policy/index.js';
import { HOUR, MIN, NOW, PREEMPT, contention, context, makeJob, pendingJob, policy } from './fixtures.js';

const rules = (over: Partial<VictimRules> = {}): VictimRules => ({
  now: NOW, minRuntimeMs: 10 * MIN, maxPreemptionsPerJob: 2, preemptionsOf: () => 0, blastRadius: 1, gracePeriodMs: 5 * MIN, suspended: [], ...over,
});
const names = (jobs: GpuJob[], need: number, over: Partial<VictimRules> = {}) => {
  const s = selectVictims(pendingJob({ gpus: need }), jobs, 0, rules(over));
  return s.feasible ? s.victims.map((v) => v.name) : s.deniedBy;
};

describe('victim selection', () => {
  test.each<[string, GpuJob[], number, string[] | string]>([
    ['lower priority goes first, whatever its utilisation', [makeJob('busy-low').priority(1).utilization(0.99).obj(), makeJob('idle-mid').priority(5).utilization(0).obj()], 1, ['busy-low']],
    ['at equal priority the idler job goes first', [makeJob('busy').utilization(0.9).obj(), makeJob('idle').utilization(0.05).obj()], 1, ['idle']],
    ['a job without telemetry ranks as busy (no data is not idleness)', [makeJob('silent').utilization(undefined).obj(), makeJob('half').utilization(0.5).obj()], 1, ['half']],
    ['at equal priority and idleness, least work lost since the last checkpoint goes first', [makeJob('old-ckpt').checkpointAgo(3600).obj(), makeJob('fresh-ckpt').checkpointAgo(60).obj()], 1, ['fresh-ckpt']],
    ['without a checkpoint, work lost counts from the start', [makeJob('no-ckpt').runtime(1800).obj(), makeJob('ckpt').runtime(90_000).checkpointAgo(2400).obj()], 1, ['no-ckpt']],
    ['work lost is in GPU-hours: a small job loses less', [makeJob('wide').gpus(8).checkpointAgo(600).obj(), makeJob('narrow').gpus(1).checkpointAgo(3000).obj()], 1, ['narrow']],
    ['a Kueue-managed job is never chosen, even as the cheapest', [makeJob('kueue').priority(0).utilization(0).kueue().obj(), makeJob('plain').priority(50).obj()], 1, ['plain']],
    ['a job younger than the minimum runtime is never chosen', [makeJob('young').runtime(300).obj(), makeJob('old').priority(10).obj()], 1, ['old']],
    ['a job of equal or higher priority is never chosen', [makeJob('peer').priority(100).obj()], 1, 'no-feasible-victims'],
    ['only as many victims as needed: a set is pruned to a minimal one', [makeJob('a').gpus(1).utilization(0).obj(), makeJob('b').gpus(1).utilization(0.1).obj(), makeJob('c').gpus(4).utilization(0.2).obj()], 4, ['c']],
    ['several small victims when no single one suffices', [makeJob('a').gpus(2).obj(), makeJob('b').gpus(2).obj(), makeJob('c').gpus(2).priority(50).obj()], 4, ['a', 'b']],
  ])('%s', (_sentence, jobs, need, expected) => {
    expect(names(jobs, need)).toEqual(expected);
  });

  test('each victim comes with the reason it was chosen', () => {
    const s = selectVictims(pendingJob({ gpus: 2 }), [makeJob('a').priority(10).gpus(2).utilization(0.05).checkpointAgo(1800).obj()], 0, rules());
    expect(s.feasible && s.victims[0]?.reason).toBe('priority 10 < 100; GPU utilisation 5%; 1.00 GPU-hours lost since its last checkpoint');
  });

  test('no feasible set says why, listing what was excluded', () => {
    const s = selectVictims(pendingJob({ gpus: 4 }), [makeJob('k').gpus(4).kueue().obj(), makeJob('young').gpus(2).runtime(60).obj(), makeJob('ok').gpus(1).obj()], 0, rules());
    expect(s).toMatchObject({ feasible: false, deniedBy: 'no-feasible-victims', why: 'needs 4 more GPU(s) but the eligible victims free only 1 (excluded: 1 kueue-managed, 1 min-runtime)' });
  });

  test('the blast radius caps the share of a namespace\'s jobs preempted, counting those already suspended', () => {
    const jobs = ['a', 'b', 'c', 'd'].map((n) => makeJob(n, 'team').gpus(2).obj());
    expect(names(jobs, 4, { blastRadius: 0.5 })).toEqual(['a', 'b']); // 4 jobs in team → at most 2 down
    // 5 jobs in team (4 running + 1 already suspended) → at most 2 down, one of them already is
    expect(names(jobs, 4, { blastRadius: 0.5, suspended: [{ namespace: 'team', name: 'z' }] })).toBe('blast-radius');
    const spread = [makeJob('a', 'team').gpus(2).obj(), makeJob('b', 'team').gpus(2).obj(), makeJob('c', 'other').gpus(2).obj(), makeJob('d', 'other').gpus(2).obj()];
    expect(names(spread, 4, { blastRadius: 0.5 })).toEqual(['c', 'a']); // one per namespace, in rank order
  });

  test('the plan asks for a checkpoint, waits for it or the grace period, then suspends', () => {
    const s = selectVictims(pendingJob({ gpus: 1 }), [makeJob('a').obj()], 0, rules());
    expect(s.feasible && s.plan.phases).toEqual([
      { phase: 'request-checkpoint', jobs: ['job/research/a'] },
      { phase: 'wait', until: 'checkpoint-or-grace', graceMs: 5 * MIN, deadline: NOW + 5 * MIN },
      { phase: 'suspend', jobs: ['job/research/a'] },
    ]);
  });
});

describe('preemption policy', () => {
  const preempt = policy(`${PREEMPT}guardrails: { cooldown: 1m, max_per_hour: 100, max_concurrent: 100, blast_radius: 1 }`);
  const pool = () => ['a', 'b', 'c', 'd'].map((n, k) => makeJob(n).gpus(2).priority(k).obj());

  test('a pending high-priority job on a full pool of 8 GPUs preempts the lowest-priority jobs it needs', () => {
    const outcome = evaluatePolicy(preempt, contention(pool()), context());
    expect(outcome).toMatchObject({ decision: { id: `preempt:prod/big-train:${NOW - 20 * MIN}`, kind: 'preempt', status: 'proposed', target: { key: 'job/prod/big-train' } } });
    if (!('decision' in outcome) || outcome.decision.plan.kind !== 'preempt') throw new Error('expected a preemption');
    expect(outcome.decision.plan.preemption.victims.map((v) => v.name)).toEqual(['a', 'b']);
  });

  test('a pending job queued through Kueue is Kueue\'s to make room for: denied, saying so', () => {
    const outcome = evaluatePolicy(preempt, contention(pool(), { pending: pendingJob({ kueueManaged: true }) }), context());
    expect(outcome).toMatchObject({ decision: { status: 'denied', deniedBy: 'kueue-managed', reason: expect.stringContaining('managed by Kueue') } });
  });

  test('a pending job that fits in the free GPUs preempts nothing', () => {
    expect(evaluatePolicy(preempt, contention(pool(), { freeGpus: 4 }), context())).toMatchObject({ skipped: { reason: 'the pending job fits in the free GPUs' } });
  });

  test('when every candidate is Kueue-managed the preemption is denied, saying Kueue owns them', () => {
    const outcome = evaluatePolicy(preempt, contention(pool().map((j) => ({ ...j, kueueManaged: true }))), context());
    expect(outcome).toMatchObject({ decision: { status: 'denied', deniedBy: 'no-feasible-victims', reason: expect.stringContaining('4 kueue-managed') } });
  });

  test('oscillating demand is bounded: no job is preempted more than max_preemptions_per_job times in the window', () => {
    let history: ActionRecord[] = [];
    const preemptedTimes = new Map<string, number>();
    for (let round = 0; round < 10; round++) {
      const now = NOW + round * 30 * MIN; // demand comes back every 30 minutes, the victims having resumed
      const signal = contention(pool(), { pending: pendingJob({ pendingSince: now - 15 * MIN }) });
      const outcome = evaluatePolicy(preempt, signal, context({ now, history }));
      if (!('decision' in outcome)) throw new Error(outcome.skipped.reason);
      history = [...history, { ...recordOf(outcome.decision), status: outcome.decision.status === 'denied' ? 'denied' : 'done', outcome: 'succeeded' }];
      if (outcome.decision.plan.kind !== 'preempt' || outcome.decision.status === 'denied') continue;
      for (const v of outcome.decision.plan.preemption.victims) preemptedTimes.set(v.name, (preemptedTimes.get(v.name) ?? 0) + 1);
    }
    expect(Math.max(...preemptedTimes.values())).toBe(2);
    expect([...preemptedTimes.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(history.at(-1)).toMatchObject({ status: 'denied' }); // every job used up its preemptions: nothing thrashes
  });

  test('after the window the preemption budget of a job comes back', () => {
    const history = [recordOfPreempt(['job/research/a', 'job/research/b'], NOW - 25 * HOUR), recordOfPreempt(['job/research/a', 'job/research/b'], NOW - 2 * HOUR)];
    const outcome = evaluatePolicy(preempt, contention(pool()), context({ history }));
    expect(outcome).toMatchObject({ decision: { status: 'proposed' } });
    if ('decision' in outcome && outcome.decision.plan.kind === 'preempt') expect(outcome.decision.plan.preemption.victims.map((v) => v.name)).toEqual(['a', 'b']);
  });
});

function recordOfPreempt(victims: string[], at: number): ActionRecord {
  return { id: `preempt:x:${at}`, policy: 'p', kind: 'preempt', target: 'job/prod/x', status: 'done', outcome: 'succeeded', createdAt: at, victims };
}

describe('idle GPUs', () => {
  const idlePolicy = policy('trigger:\n  gpu_idle: { below_percent: 10, for: 30m }\naction:\n  preempt: { min_runtime: 10m }\nguardrails: { blast_radius: 0.5 }');
  const idle = (job: GpuJob, over: Partial<GpuIdleSignal> = {}): GpuIdleSignal => ({ kind: 'gpu_idle', job, idleSince: NOW - HOUR, namespaceJobs: 4, namespaceSuspended: 0, ...over });

  test.each<[string, GpuIdleSignal, { status: string; deniedBy?: string }]>([
    ['an idle job is suspended', idle(makeJob('nb').utilization(0.01).obj()), { status: 'proposed' }],
    ['an idle Kueue-managed job is never touched (denied, saying so)', idle(makeJob('nb').utilization(0.01).kueue().obj()), { status: 'denied', deniedBy: 'kueue-managed' }],
    ['an idle job younger than the minimum runtime is left alone', idle(makeJob('nb').utilization(0.01).runtime(120).obj()), { status: 'denied', deniedBy: 'min-runtime' }],
    ['an idle job in a namespace already at its blast radius is left alone', idle(makeJob('nb').utilization(0.01).obj(), { namespaceSuspended: 2 }), { status: 'denied', deniedBy: 'blast-radius' }],
  ])('%s', (_sentence, signal, expected) => {
    expect(evaluatePolicy(idlePolicy, signal, context())).toMatchObject({ decision: expected });
  });

  test('the Kueue denial carries the reason for the audit', () => {
    const outcome = evaluatePolicy(idlePolicy, idle(makeJob('nb').utilization(0.01).kueue().obj()), context());
    expect('decision' in outcome && outcome.decision.reason).toContain('managed by Kueue');
  });
});

describe('resume', () => {
  const preempt = policy(PREEMPT);
  const suspended = [
    { namespace: 'r', name: 'low', priority: 1, gpus: 2, suspendedBy: 'preempt:1', suspendedAt: NOW - HOUR },
    { namespace: 'r', name: 'high', priority: 9, gpus: 4, suspendedBy: 'preempt:1', suspendedAt: NOW - HOUR },
    { namespace: 'r', name: 'mid', priority: 5, gpus: 2, suspendedBy: 'preempt:2', suspendedAt: NOW - HOUR },
  ];

  test('freed capacity resumes the highest-priority suspended jobs that fit', () => {
    expect(decideResumes(preempt, suspended, 6, context()).map((d) => [d.target.name, d.kind, d.status])).toEqual([['high', 'resume', 'proposed'], ['mid', 'resume', 'proposed']]);
  });

  test('a resume already decided is not decided again', () => {
    const history: ActionRecord[] = [{ id: 'resume:preempt:1:job/r/high', policy: 'p', kind: 'resume', target: 'job/r/high', status: 'running', createdAt: NOW - MIN }];
    expect(decideResumes(preempt, suspended, 6, context({ history })).map((d) => d.target.name)).toEqual(['mid', 'low']);
  });
});
