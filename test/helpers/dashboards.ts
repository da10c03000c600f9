import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const GRAFANA = resolve(import.meta.dirname, '../../grafana');

export interface Target {
  refId: string;
  datasource?: { type: string; uid: string };
  query?: string;
  expr?: string;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
export interface Variable {
  name: string;
  type: string;
  query: string;
  datasource?: { type: string; uid: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  const dir = join(GRAFANA, 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/** Every panel, rows' children included. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every query of every panel, with where it comes from. */
export function allQueries(d: Dashboard): Array<{ panel: Panel; target: Target; uid: string }> {
  return allPanels(d).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel, target, uid: target.datasource?.uid ?? panel.datasource?.uid ?? '' })),
  );
}
