/**
 * Regenerates alerts/ from examples/slos: the rules for every example SLO whose SLI lives in
 * Prometheus, one rule per tier (slo-rules.yaml) and in Sloth's shape (slo-rules-sloth.yaml).
 * `npm run gen:alerts`; test/alerts/alerts.test.ts fails when the checked-in files differ.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatePrometheusRules, loadSloSpecs, renderRuleFile, type AlertMode } from '../src/domain/slo/index.js';

export const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = 'examples/slos';

export const ALERT_FILES: ReadonlyArray<{ path: string; mode: AlertMode }> = [
  { path: 'alerts/slo-rules.yaml', mode: 'tiered' },
  { path: 'alerts/slo-rules-sloth.yaml', mode: 'sloth' },
];

/** The generated files' contents by path (relative to the repository root), without writing them. */
export function generateAlertFiles(root: string = ROOT): Map<string, string> {
  const names = readdirSync(join(root, EXAMPLES)).filter((n) => /\.ya?ml$/.test(n)).sort();
  const files = names.map((n) => ({ name: `${EXAMPLES}/${n}`, text: readFileSync(join(root, EXAMPLES, n), 'utf8') }));
  const slos = loadSloSpecs(files, Date.now());
  // Store-SLI examples are evaluated by mlwarden itself; leaving them out of the header keeps these
  // files unchanged when such examples are added.
  return new Map(ALERT_FILES.map(({ path, mode }) => [path, renderRuleFile({ ...generatePrometheusRules(slos, { mode }), skipped: [] })]));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [path, text] of generateAlertFiles()) {
    writeFileSync(join(ROOT, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
