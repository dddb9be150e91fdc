import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, renderDashboard } from './dashboards.js';

/** Writes dashboards/json/<name>.json for every dashboard (npm run gen:dashboards). */
const out = join(dirname(fileURLToPath(import.meta.url)), 'json');
mkdirSync(out, { recursive: true });
for (const name of Object.keys(DASHBOARDS) as (keyof typeof DASHBOARDS)[]) {
  writeFileSync(join(out, `${name}.json`), renderDashboard(name));
}
