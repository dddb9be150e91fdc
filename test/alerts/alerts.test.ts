import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, test, type TestContext } from 'vitest';
import { ALERT_FILES, ROOT, generateAlertFiles } from '../../scripts/gen-alerts.js';

const PROMTOOL_TIMEOUT_MS = 180_000;
const TESTS_DIR = 'alerts/tests';
const GOLDEN_DIR = 'test/fixtures/slo-rules';

const promtool = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'promtool')).find((path) => existsSync(path));

/** Outside CI a machine without promtool skips these tests and says why; in CI a missing promtool fails them. */
function needPromtool(ctx: TestContext): string {
  if (promtool !== undefined) return promtool;
  const reason = "promtool is not installed (Debian package 'prometheus'; .ci/run installs it)";
  if (!process.env.CI) ctx.skip(`${reason}: skipped outside CI`);
  throw new Error(reason);
}

function run(ctx: TestContext, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(needPromtool(ctx), args, { cwd: ROOT, encoding: 'utf8', timeout: PROMTOOL_TIMEOUT_MS });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const ruleFiles = [
  ...readdirSync(join(ROOT, 'alerts')).filter((f) => f.endsWith('.yaml')).map((f) => `alerts/${f}`),
  ...readdirSync(join(ROOT, GOLDEN_DIR)).filter((f) => f.startsWith('out-')).map((f) => `${GOLDEN_DIR}/${f}`),
].sort();
const unitTests = readdirSync(join(ROOT, TESTS_DIR)).filter((f) => f.endsWith('.test.yaml')).sort().map((f) => `${TESTS_DIR}/${f}`);

describe('alerts/ is what the code generates from examples/slos', () => {
  const generated = generateAlertFiles();

  test.each(ALERT_FILES.map((f) => [f.path, f.mode] as const))('%s (%s mode) matches a fresh generation (else run `npm run gen:alerts`)', (path) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(generated.get(path));
  });
});

describe('promtool accepts every generated rule file', () => {
  test('there are rule files and unit tests to check', () => {
    expect(ruleFiles).toEqual(expect.arrayContaining(ALERT_FILES.map((f) => f.path)));
    expect(unitTests.length).toBeGreaterThan(0);
  });

  test.for(ruleFiles)('promtool check rules %s', (file, ctx) => {
    const { status, output } = run(ctx, ['check', 'rules', file]);
    expect(output).toMatch(/SUCCESS/);
    expect(status).toBe(0);
  });
});

describe('promtool unit tests of the generated alerts pass', () => {
  test.for(unitTests)('promtool test rules %s', { timeout: PROMTOOL_TIMEOUT_MS }, (file, ctx) => {
    const { status, output } = run(ctx, ['test', 'rules', file]);
    expect(output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
  });
});
