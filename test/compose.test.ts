import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';

// No Docker engine runs here: the compose file is checked for consistency, not started.
const ROOT = resolve(import.meta.dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, unknown> | string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const production = parseConfig(join(ROOT, 'config/production.yaml'), read('config/production.yaml'), {
  KPID_API_TOKEN: 'a-token-of-sixteen-chars',
});
const prometheusConfig = parse(read('prometheus/prometheus.yml')) as {
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
};
const datasources = (parse(read('grafana/provisioning/datasources/kpid.yaml')) as { datasources: Array<{ uid: string; url: string }> }).datasources;

/** "127.0.0.1:9464:9464" → container port 9464. */
const containerPorts = (s: Service) => (s.ports ?? []).map((p) => Number(p.split(':').at(-1)));
const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};

describe('docker-compose.yml', () => {
  it('runs kpid, redis, influxdb 1.8, grafana and prometheus, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'influxdb', 'kpid', 'prometheus', 'redis']);
    expect(services.influxdb!.image).toBe('influxdb:1.8');
    for (const [name, s] of Object.entries(services)) expect(s.healthcheck?.test.length, name).toBeGreaterThan(1);
  });

  it('keeps Redis data: append-only file on, and never evicts keys BullMQ needs', () => {
    const cmd = services.redis!.command!.join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--maxmemory-policy noeviction');
    expect(services.redis!.volumes).toContain('redis-data:/data');
  });

  it('mounts only files and folders that exist, and declares every named volume', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(join(ROOT, source)), `${name}: ${v}`).toBe(true);
        else expect(compose.volumes, `${name}: ${v}`).toHaveProperty(source);
      }
    }
    const build = services.kpid!.build!;
    expect(existsSync(join(ROOT, build.context, build.dockerfile))).toBe(true);
  });

  it('publishes kpid on the port config/production.yaml listens on, and Prometheus scrapes that port', () => {
    const listen = production.server.listen;
    expect(containerPorts(services.kpid!)).toContain(listen.port);
    expect(listen.host).toBe('0.0.0.0');
    const job = prometheusConfig.scrape_configs.find((j) => j.job_name === 'kpid')!;
    expect(job.static_configs[0]!.targets).toEqual([`kpid:${listen.port}`]);
    expect(services.prometheus!.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('points kpid at the influxdb and redis services on their ports', () => {
    const influx = production.storage.influx!;
    expect(hostPort(influx.url)).toEqual({ host: 'influxdb', port: 8086 });
    expect(containerPorts(services.influxdb!)).toContain(8086);
    expect(influx.spool.dir.startsWith('/var/lib/kpid')).toBe(true);
    expect(services.kpid!.volumes).toContain('kpid-spool:/var/lib/kpid');
    expect(production.state).toEqual({ redis: 'redis://redis:6379/0' });
    expect(production.queue).toMatchObject({ driver: 'bullmq', redis: 'redis://redis:6379/0' });
    expect(services.kpid!.volumes).toContain('./config/production.yaml:/etc/kpid/kpid.yaml:ro');
  });

  it('gives Grafana its provisioning and the dashboards where the provider looks', () => {
    const provider = parse(read('grafana/provisioning/dashboards/kpid.yaml')) as { providers: Array<{ options: { path: string } }> };
    expect(services.grafana!.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(services.grafana!.volumes).toContain(`./grafana/dashboards:${provider.providers[0]!.options.path}:ro`);
    const byUid = Object.fromEntries(datasources.map((d) => [d.uid, hostPort(d.url)]));
    expect(byUid['kpid-influxdb']).toEqual({ host: 'influxdb', port: 8086 });
    expect(byUid['kpid-prometheus']).toEqual({ host: 'prometheus', port: 9090 });
    expect(containerPorts(services.prometheus!)).toContain(9090);
    const home = services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(existsSync(join(ROOT, 'grafana/dashboards', home.split('/').at(-1)!))).toBe(true);
  });

  it('prometheus/prometheus.yml passes promtool check config', () => {
    expect(() => execFileSync('promtool', ['check', 'config', join(ROOT, 'prometheus/prometheus.yml')], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^(?=FROM )/m).filter((st) => st.startsWith('FROM '));
  const runtime = stages.at(-1)!;

  it('is multi-stage and the image runs kpid as the unprivileged user its runtime stage creates', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // The user in force at ENTRYPOINT is the last USER of the last stage, not the first USER anywhere.
    const users = [...runtime.matchAll(/^USER (\S+)/gm)].map((m) => m[1]!);
    expect(users.length, 'the runtime stage sets a USER').toBeGreaterThan(0);
    const user = users.at(-1)!;
    expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
    expect(runtime).toMatch(new RegExp(`useradd [^\\n]*\\b${user.split(':')[0]}\\b`));
    expect(runtime.indexOf(`USER ${user}`)).toBeLessThan(runtime.indexOf('ENTRYPOINT'));
  });

  it('copies only files that exist in the build context (.dockerignore applied), and only from stages it defines', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
      .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) (\S+)$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(sources.length, 'COPY lines found').toBeGreaterThanOrEqual(5);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored.filter((re) => re.test(source)).map(String), `${source} is excluded by .dockerignore`).toEqual([]);
    }
    const names = stages.map((st) => /^FROM \S+ AS (\S+)/i.exec(st)?.[1]);
    const froms = [...dockerfile.matchAll(/^COPY --from=(\S+)/gm)].map((m) => m[1]!);
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(names.slice(0, -1), `COPY --from=${f}`).toContain(f);
  });
});
