import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { allPanels, allQueries, GRAFANA, loadDashboards } from './helpers/dashboards.js';

const provisioned = parse(readFileSync(join(GRAFANA, 'provisioning/datasources/kpid.yaml'), 'utf8')) as {
  datasources: Array<{ uid: string; type: string; url: string }>;
};
const uids = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));
const dashboards = loadDashboards();

describe('Grafana provisioning and dashboards', () => {
  it('provisions an InfluxQL datasource and a Prometheus datasource with fixed uids', () => {
    expect(uids.get('kpid-influxdb')).toBe('influxdb');
    expect(uids.get('kpid-prometheus')).toBe('prometheus');
    const provider = parse(readFileSync(join(GRAFANA, 'provisioning/dashboards/kpid.yaml'), 'utf8'));
    expect(provider.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards/kpid' } });
  });

  it('ships the five dashboards, generated from grafana/generate.mjs and up to date', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual(['kpid-interfaces', 'kpid-noc', 'kpid-probes', 'kpid-sla', 'kpid-voice']);
    execFileSync(process.execPath, [join(GRAFANA, 'generate.mjs'), '--check']);
  });

  describe.each(dashboards)('$file', ({ dashboard }) => {
    it('is a dashboard model Grafana loads: uid, title, schemaVersion, panels with unique ids and a grid position', () => {
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.title.length).toBeGreaterThan(0);
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        expect(Number.isInteger(p.id), p.title).toBe(true);
        expect(p.title.length, `panel ${p.id}`).toBeGreaterThan(0);
        expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        expect(p.gridPos.h, p.title).toBeGreaterThan(0);
      }
    });

    it('refers only to provisioned datasources, with the matching type', () => {
      const refs = [
        ...allPanels(dashboard).filter((p) => p.datasource).map((p) => p.datasource!),
        ...allQueries(dashboard).map((q) => q.target.datasource).filter((d) => d !== undefined),
        ...dashboard.templating.list.map((v) => v.datasource).filter((d) => d !== undefined),
      ];
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(uids.get(ref.uid), ref.uid).toBe(ref.type);
    });

    it('every query panel has at least one query, InfluxQL in raw mode or PromQL', () => {
      for (const p of allPanels(dashboard).filter((p) => p.type !== 'row')) {
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
      }
      for (const { target, uid, panel } of allQueries(dashboard)) {
        if (uid === 'kpid-influxdb') expect(target.query, panel.title).toMatch(/^(SELECT|SHOW) /);
        else expect(target.expr, panel.title).toMatch(/kpid_/);
      }
    });
  });
});
