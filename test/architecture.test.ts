import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** src/<folder>/… of a resolved relative import, or undefined for packages. */
function targetOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
}

const topFolder = (path: string) => path.split('/')[0] as string;
const sourceFiles = files(SRC).map((f) => ({ file: f, path: relative(SRC, f) }));

const DOMAIN_PACKAGES = new Set(['zod', 'simple-statistics', 'yaml']);
const PACKAGE_OWNERS: Record<string, string> = {
  '@clickhouse/client': 'store',
  chdb: 'store',
  'chdb/connection': 'store',
  '@kubernetes/client-node': 'orchestration',
};

describe('architecture', () => {
  test('domain code imports only domain modules and small pure libraries (no I/O, no node: built-ins)', () => {
    const offences = sourceFiles
      .filter((s) => s.path.startsWith('domain/'))
      .flatMap((s) =>
        importsOf(s.file)
          .filter((spec) => {
            const target = targetOf(s.file, spec);
            return target === undefined ? !DOMAIN_PACKAGES.has(spec) : !target.startsWith('domain/');
          })
          .map((spec) => `${s.path} imports ${spec}`),
      );
    expect(offences).toEqual([]);
  });

  test('only the store speaks ClickHouse and only orchestration speaks Kubernetes', () => {
    const offences = sourceFiles.flatMap((s) =>
      importsOf(s.file)
        .filter((spec) => PACKAGE_OWNERS[spec] !== undefined && topFolder(s.path) !== PACKAGE_OWNERS[spec])
        .map((spec) => `${s.path} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  test('a folder is used through its index.ts, never through its insides (domain subfolders likewise)', () => {
    const offences = sourceFiles.flatMap((s) =>
      importsOf(s.file).flatMap((spec) => {
        const target = targetOf(s.file, spec);
        if (target === undefined || !target.includes('/')) return [];
        // Top-level folders beside src/ (collectors/) count as modules too: ../collectors/index.ts.
        const parts = target.split('/');
        const targetModule = target.startsWith('domain/') && parts.length > 2 ? parts.slice(0, 2).join('/') : target.startsWith('../') ? parts.slice(0, 2).join('/') : topFolder(target);
        const sameModule = s.path.startsWith(`${targetModule}/`);
        const viaIndex = target === `${targetModule}/index.ts` || (targetModule === 'domain' && target === 'domain/errors.ts');
        return sameModule || viaIndex ? [] : [`${s.path} reaches into ${target}`];
      }),
    );
    expect(offences).toEqual([]);
  });

  test('no grab-bag utils files', () => {
    expect(sourceFiles.map((s) => s.path).filter((p) => /(^|\/)(utils?|helpers?|misc|common)\.ts$/.test(p))).toEqual([]);
  });

  test('nothing in src writes to the console (structured logs only)', () => {
    const offences = sourceFiles.filter((s) => /\bconsole\.(log|error|warn|info|debug)\(/.test(readFileSync(s.file, 'utf8'))).map((s) => s.path);
    expect(offences).toEqual([]);
  });
});
