import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MlwardenError } from '../domain/errors.js';
import { loadSloSpecs, type Slo, type SpecFile } from '../domain/slo/index.js';

const YAML_FILE = /\.ya?ml$/;

function expand(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new MlwardenError('invalid', `cannot read SLO spec path ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => YAML_FILE.test(name))
    .sort()
    .map((name) => join(path, name));
}

/** Reads spec files (folders expand to their *.yaml / *.yml files, sorted) for loadSloSpecs. */
export function readSpecFiles(paths: readonly string[]): SpecFile[] {
  return paths.flatMap(expand).map((name) => ({ name, text: readFileSync(name, 'utf8') }));
}

/** Loads and validates every SLO in the given files or folders; throws one error listing every problem. */
export function loadSloFiles(paths: readonly string[], now: number): Slo[] {
  return loadSloSpecs(readSpecFiles(paths), now);
}
