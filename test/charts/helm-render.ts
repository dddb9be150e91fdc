/** Builds scripts/helm-render once per test file and renders the chart with it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
export const CHART = join(ROOT, 'charts/mlwarden');

export const goInstalled = (): boolean => spawnSync('go', ['version']).status === 0;

export function buildRenderer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'helm-render-'));
  const binary = join(dir, 'helm-render');
  // GOPATH mode against Debian's /usr/share/gocode: no module downloads.
  const env = { ...process.env, GO111MODULE: 'off', GOFLAGS: '', GOPATH: `/usr/share/gocode:${join(dir, 'gopath')}` };
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(ROOT, 'scripts/helm-render'), env, stdio: ['ignore', 'ignore', 'pipe'] });
  return binary;
}

export interface RenderOptions {
  values?: string[];
  namespace?: string;
  apiVersions?: string[];
}

export type Manifest = Record<string, any>;

export function renderText(binary: string, options: RenderOptions = {}): string {
  const args = ['-name', 'mlwarden', '-namespace', options.namespace ?? 'observability'];
  for (const file of options.values ?? []) args.push('-f', file);
  for (const version of options.apiVersions ?? []) args.push('-a', version);
  const result = spawnSync(binary, [...args, CHART], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr.trim());
  return result.stdout;
}

export function render(binary: string, options: RenderOptions = {}): Manifest[] {
  return parseAllDocuments(renderText(binary, options)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    return doc.toJS() as Manifest;
  }).filter((m) => m !== null);
}
