import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = 'test/fixtures/psi';

function mlwarden(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const psi = (...extra: string[]) => mlwarden(['psi', '--reference', `${FIXTURES}/reference.csv`, '--current', `${FIXTURES}/current.csv`, ...extra]);

interface JsonColumn {
  column: string;
  type: string;
  method: string;
  psi: number;
  status: string;
  unseen: { value: string; count: number }[];
  bins: { label: string; ref: number; cur: number; refCount: number; curCount: number }[];
}

/** mlwarden PSI from counts, written from the definition (bins with mass, 1e-4 floor, renormalised). */
function referencePsi(refCounts: number[], curCounts: number[], floor = 1e-4): number {
  const keep = refCounts.map((r, i) => r > 0 || (curCounts[i] as number) > 0);
  const side = (counts: number[]) => {
    const kept = counts.filter((_, i) => keep[i]);
    const n = kept.reduce((a, b) => a + b, 0);
    const floored = kept.map((c) => Math.max(c / n, floor));
    const sum = floored.reduce((a, b) => a + b, 0);
    return floored.map((p) => p / sum);
  };
  const r = side(refCounts);
  const c = side(curCounts);
  return r.reduce((acc, ri, i) => acc + ((c[i] as number) - ri) * Math.log((c[i] as number) / ri), 0);
}

/*
 * The fixtures (400 rows each, shuffled): score is 1…400 in the reference and 101…500 in the
 * current file; country is DE 200, FR 120, US 60, 20 empty vs DE 150, FR 100, US 60, BR 70, 20 empty;
 * age has the same 400 values in both; plan is 1/2/3 coded (200/100/100) in both.
 */
describe('mlwarden psi', () => {
  test('JSON output: per-column type, PSI and bins, numbers equal to the formula on counts derived by hand', () => {
    const { status, stdout, stderr } = psi('--categorical', 'plan', '--format', 'json');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const columns = JSON.parse(stdout) as JsonColumn[];
    expect(columns.map((c) => [c.column, c.type])).toEqual([['score', 'numeric'], ['country', 'categorical'], ['age', 'numeric'], ['plan', 'categorical']]);

    // 1…400 in 10 type-7 quantile bins (edges 1 + 39.9·i) holds 40 per bin; 101…500 fills [80.8, 120.7) with 20,
    // the next six bins with 40 each and the open last bin with 361…500 = 140.
    const score = columns[0] as JsonColumn;
    expect(score.bins.map((b) => b.curCount)).toEqual([0, 0, 20, 40, 40, 40, 40, 40, 40, 140, 0]);
    expect(score.psi).toBeCloseTo(referencePsi([40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 0], [0, 0, 20, 40, 40, 40, 40, 40, 40, 140, 0]), 12);
    expect(score.status).toBe('drifting');

    const country = columns[1] as JsonColumn;
    expect(country.bins.map((b) => [b.label, b.refCount, b.curCount])).toEqual([['DE', 200, 150], ['FR', 120, 100], ['US', 60, 60], ['(other)', 0, 70], ['(missing)', 20, 20]]);
    expect(country.psi).toBeCloseTo(referencePsi([200, 120, 60, 0, 20], [150, 100, 60, 70, 20]), 12);
    expect(country.unseen).toEqual([{ value: 'BR', count: 70 }]);

    expect(columns[2]).toMatchObject({ column: 'age', psi: 0, status: 'ok' });
    expect(columns[3]).toMatchObject({ column: 'plan', psi: 0, status: 'ok' });
    expect(columns[3]?.bins.map((b) => b.label)).toEqual(['1', '2', '3', '(other)', '(missing)']);
  });

  test('table output: one line per column with PSI, critical value, status and unseen categories', () => {
    const { status, stdout } = psi('--categorical', 'plan');
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^column\s+type\s+n\s+m\s+psi\s+critical\s+status\s+bins\s+unseen$/);
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(/^country\s+categorical\s+400\s+400\s+\d\.\d{4}\s+\d\.\d{4}\s+drifting\s+5\s+BR \(70\)$/);
    expect(lines[3]).toMatch(/^age\s+numeric\s+400\s+400\s+0\.0000\s+\S+\s+ok/);
  });

  test('--bins changes the numeric bins: 4 quantile bins of 1…400 hold 100 each', () => {
    const columns = JSON.parse(psi('--bins', '4', '--format', 'json').stdout) as JsonColumn[];
    expect(columns[0]?.bins.map((b) => b.refCount)).toEqual([100, 100, 100, 100, 0]);
  });

  test("--method evidently reproduces Evidently's numbers (score as numpy computes it; country without its missing values)", () => {
    const { status, stdout, stderr } = psi('--method', 'evidently', '--format', 'json');
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const columns = JSON.parse(stdout) as JsonColumn[];
    // numpy: histogram_bin_edges(concat, "sturges") → 11 bins; histogram/len, per-side fill, Σ (r − c)·ln(r/c).
    expect(columns[0]?.psi).toBeCloseTo(3.208658027371665, 9);
    const ref = [200, 120, 60, 0].map((c) => c / 380).map((p) => (p === 0 ? 1e-4 : p));
    const cur = [150, 100, 60, 70].map((c) => c / 380);
    expect(columns[1]?.psi).toBeCloseTo(ref.reduce((a, r, i) => a + (r - (cur[i] as number)) * Math.log(r / (cur[i] as number)), 0), 12);
    expect(columns[3]).toMatchObject({ column: 'plan', type: 'categorical', method: 'evidently' });
  });

  test("--method evidently with --bins warns that Evidently's Sturges bins ignore it", () => {
    const { status, stderr } = psi('--method', 'evidently', '--bins', '7');
    expect(status).toBe(0);
    expect(stderr).toMatch(/warning: evidently bins numeric columns by Sturges' rule.*--bins is ignored/);
  });

  test('--method phoenix reports Phoenix-method PSI for every column', () => {
    const columns = JSON.parse(psi('--method', 'phoenix', '--format', 'json').stdout) as JsonColumn[];
    expect(columns.map((c) => c.method)).toEqual(['phoenix', 'phoenix', 'phoenix', 'phoenix']);
    expect(columns[2]?.psi).toBeCloseTo(0, 12);
  });
});

describe('mlwarden psi refuses bad input with the file and the line', () => {
  test.each([
    ['a row with too few cells names the file and line 4', ['--current', `${FIXTURES}/ragged.csv`], /ragged\.csv: not valid CSV: .*line 4/],
    ['an unterminated quote names the file', ['--current', `${FIXTURES}/bad-quote.csv`], /bad-quote\.csv: not valid CSV: Quote Not Closed/],
    ['an empty file asks for a header row', ['--current', `${FIXTURES}/empty.csv`], /empty\.csv: is empty; a header row naming the columns is required/],
    ['a current file lacking reference columns names them', ['--current', `${FIXTURES}/missing-columns.csv`], /missing-columns\.csv: has no column "age", "plan"/],
    ['a file that does not exist', ['--current', `${FIXTURES}/nope.csv`], /nope\.csv: no such file/],
    ['a --categorical column that does not exist', ['--current', `${FIXTURES}/current.csv`, '--categorical', 'plan,zip'], /categorical: names no column of .*reference\.csv: "zip"/],
  ])('%s', (_sentence, args, message) => {
    const { status, stderr } = mlwarden(['psi', '--reference', `${FIXTURES}/reference.csv`, ...args]);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });

  test('--bins outside 2..1000 and an unknown --method are refused before any file is read', () => {
    expect(psi('--bins', '1').stderr).toMatch(/must be an integer 2\.\.1000/);
    expect(psi('--method', 'nannyml').stderr).toMatch(/Allowed choices are mlwarden, evidently, phoenix/);
  });
});
