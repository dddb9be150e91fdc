import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDashboard } from '../../dashboards/dashboards.js';
import { DASHBOARD_NAMES, JSON_DIR, readDashboard } from './dashboard-queries.js';

describe('Generated dashboard JSON', () => {
  it.each(DASHBOARD_NAMES)('generating %s twice gives the same JSON, equal to the checked-in file', (name) => {
    const first = renderDashboard(name);
    expect(renderDashboard(name)).toBe(first);
    expect(readFileSync(join(JSON_DIR, `${name}.json`), 'utf8')).toBe(first);
  });

  it('gives every dashboard its own stable uid', () => {
    const uids = DASHBOARD_NAMES.map((n) => readDashboard(n).uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^mlwarden-[a-z-]+$/);
  });

  it.each(DASHBOARD_NAMES)('every panel of %s has a unit, a description, thresholds, a unique id and a query', (name) => {
    const panels = readDashboard(name).panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(3);
    for (const p of panels) {
      expect(p.fieldConfig?.defaults.unit, p.title).toBeTruthy();
      expect(p.description, p.title).toBeTruthy();
      expect(p.fieldConfig?.defaults.thresholds?.steps.length, p.title).toBeGreaterThan(0);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    const ids = readDashboard(name).panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
