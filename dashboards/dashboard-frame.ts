import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { DashboardBuilder, DashboardCursorSync, RowBuilder, type Panel } from '@grafana/grafana-foundation-sdk/dashboard';

export interface DashboardIdentity {
  /** Stable across generations, so links and provisioning keep pointing at the same dashboard. */
  uid: string;
  title: string;
  description: string;
  /** Default time range, e.g. now-6h. */
  from: string;
}

/** What every mlwarden dashboard shares: tags, time settings, a shared crosshair. */
export function mlwardenDashboard(id: DashboardIdentity): DashboardBuilder {
  return new DashboardBuilder(id.title)
    .uid(id.uid)
    .description(id.description)
    .tags(['mlwarden'])
    .timezone('browser')
    .time({ from: id.from, to: 'now' })
    .refresh('1m')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable();
}

/** A titled row of panels. */
export interface Section {
  title: string;
  panels: cog.Builder<Panel>[];
}

/** Lays sections out top to bottom, each under its own row. */
export function withSections(d: DashboardBuilder, sections: Section[]): DashboardBuilder {
  for (const s of sections) {
    d = d.withRow(new RowBuilder(s.title));
    for (const p of s.panels) d = d.withPanel(p);
  }
  return d;
}
