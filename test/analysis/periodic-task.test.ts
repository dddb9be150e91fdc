import { describe, expect, test } from 'vitest';
import { PeriodicTask } from '../../src/analysis/periodic-task.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PeriodicTask', () => {
  test('cycles never overlap, a failing cycle is reported and the schedule carries on, stop waits for the cycle in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    let cycles = 0;
    const errors: unknown[] = [];
    const task = new PeriodicTask(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        cycles++;
        await sleep(15);
        running--;
        if (cycles === 2) throw new Error('cycle 2 failed');
      },
      5,
      (error) => errors.push(error),
    );
    task.start();
    await sleep(120);
    await task.stop();
    const after = cycles;
    await sleep(40);
    expect(maxRunning).toBe(1);
    expect(cycles).toBeGreaterThanOrEqual(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(['cycle 2 failed']);
    expect(running).toBe(0);
    expect(cycles).toBe(after);
  });
});
