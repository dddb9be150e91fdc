/** scripts/helm-render against a small chart: the Helm behaviours the mlwarden chart relies on. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildRenderer, goInstalled } from './helm-render.js';

function chart(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'helm-render-chart-'));
  const all = { 'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n', 'values.yaml': 'a: { b: 1, c: 2 }\nlist: [x, y]\n', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const requireGo = !goInstalled() && process.env.CI !== undefined;
// Outside CI a machine without Go skips; with CI set a missing Go fails (requireGo).
describe.skipIf(!goInstalled() && !process.env.CI)('helm-render', () => {
  let binary: string;
  beforeAll(() => {
    if (requireGo) throw new Error('CI is set but go is not installed');
    binary = buildRenderer();
  }, 120_000);

  const run = (dir: string, ...args: string[]): { out: string; err: string; status: number | null } => {
    const r = spawnSync(binary, [...args, dir], { encoding: 'utf8' });
    return { out: r.stdout, err: r.stderr, status: r.status };
  };
  const body = (out: string): string => out.split('\n').slice(2).join('\n').trimEnd();

  test.each([
    ['toYaml sorts keys, does not indent lists and quotes YAML 1.1 booleans, like sigs.k8s.io/yaml', '{{ toYaml (dict "b" 1 "a" .Values.list) }}', 'a:\n- x\n- "y"\nb: 1'],
    ['include renders a define from a _helpers.tpl with its own scope', '{{ include "demo.hello" .Chart }}', 'hello demo 4.5'],
    ['tpl renders a string against the given scope', '{{ tpl "{{ .Values.a.b }}-{{ .Release.Name }}" . }}', '1-rel'],
    ['fromYaml and toJson round-trip', '{{ "x: [1, 2]" | fromYaml | toJson }}', '{"x":[1,2]}'],
    ['a missing value prints nothing, not <no value>', 'v={{ .Values.nope }}', 'v='],
    ['Release, Capabilities and lookup', '{{ .Release.Namespace }} {{ .Release.Service }} {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "x.io/v1" }} {{ lookup "v1" "Secret" "ns" "s" | len }}', 'ns Helm true false 0'],
    ['Files.Get, Files.Glob and AsConfig see files outside templates/', '{{ .Files.Get "files/a.txt" }}|{{ (.Files.Glob "files/*.json").AsConfig }}', 'A|b.json: \'{"b": 1}\''],
    ['sprig functions are there, env is not', '{{ list 3 1 2 | sortAlpha | join "," }} {{ hasKey (dict) "env" }}', '1,2,3 false'],
  ])('%s', (_, template, expected) => {
    const dir = chart({ 'templates/t.yaml': template, 'templates/_helpers.tpl': '{{- define "demo.hello" -}}hello {{ .Name }} {{ .AppVersion }}{{- end -}}', 'files/a.txt': 'A', 'files/b.json': '{"b": 1}' });
    const r = run(dir, '-name', 'rel', '-namespace', 'ns');
    expect(r.err).toBe('');
    expect(body(r.out)).toBe(expected);
  });

  test('values files merge over the defaults: maps deeply, lists replaced, null deletes', () => {
    const dir = chart({ 'templates/t.yaml': '{{ toJson .Values }}', 'override.yaml': 'a: { c: null, d: 3 }\nlist: [z]\n' });
    expect(JSON.parse(body(run(dir, '-f', join(dir, 'override.yaml')).out))).toEqual({ a: { b: 1, d: 3 }, list: ['z'] });
  });

  test('required and fail stop rendering with the message; _*.tpl, NOTES.txt and empty output are skipped', () => {
    expect(run(chart({ 'templates/t.yaml': '{{ required "x is required" .Values.x }}' })).err).toContain('x is required');
    expect(run(chart({ 'templates/t.yaml': '{{ fail "no way" }}' })).status).toBe(1);
    const r = run(chart({ 'templates/NOTES.txt': 'notes', 'templates/_h.tpl': 'helper', 'templates/empty.yaml': '{{- if false }}x{{ end }}', 'templates/t.yaml': 'kind: A' }));
    expect(r.out).toBe('---\n# Source: demo/templates/t.yaml\nkind: A\n');
  });
});
