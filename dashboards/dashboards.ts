import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { debugDashboard } from './debug.js';
import { driftDashboard } from './drift.js';
import { executiveDashboard } from './executive.js';
import { gpuFleetDashboard } from './gpu-fleet.js';
import { onCallDashboard } from './on-call.js';

/** Every dashboard, by the file name its JSON is written to (dashboards/json/<name>.json). */
export const DASHBOARDS = {
  executive: executiveDashboard,
  'on-call': onCallDashboard,
  debug: debugDashboard,
  drift: driftDashboard,
  'gpu-fleet': gpuFleetDashboard,
} as const;

/** Numbers panels in layout order, so ids are stable and unique without each source tracking them. */
function numberPanels(d: Dashboard): Dashboard {
  return { ...d, panels: (d.panels ?? []).map((p, i) => ({ ...p, id: i + 1 })) };
}

/** The dashboard as Grafana imports it: deterministic JSON, two-space indented, newline-terminated. */
export function renderDashboard(name: keyof typeof DASHBOARDS): string {
  return `${JSON.stringify(numberPanels(DASHBOARDS[name]().build()), null, 2)}\n`;
}
