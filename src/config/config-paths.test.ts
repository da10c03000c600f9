import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';

const TARGET = (probe = '') => `targets:\n  - { name: web, address: 127.0.0.1${probe ? `, probes: [ ${probe} ]` : ''} }\n`;
const INFLUX = (spool: string) => `storage: { influx: { url: "http://127.0.0.1:8086"${spool} } }\n`;
const HTTP = (ca: string) => `{ type: http, url: "https://{address}/", tls_ca: ${ca} }`;

type Loaded = ReturnType<typeof parseConfig>;
const tlsCa = (c: Loaded) => (c.targets[0]!.probes[0] as { tls_ca?: string }).tls_ca;

/** Issue 13 §6: each path key, relative and absolute, in a config file at /etc/kpid/kpid.yaml. */
describe('relative paths in a config file resolve against that file\'s directory, as Prometheus does', () => {
  it.each([
    ['state.sqlite', `state: { sqlite: state/kpid.db }\n${TARGET()}`, (c: Loaded) => ('sqlite' in c.state ? c.state.sqlite : ''), '/etc/kpid/state/kpid.db'],
    ['state.sqlite default', TARGET(), (c: Loaded) => ('sqlite' in c.state ? c.state.sqlite : ''), '/etc/kpid/data/kpid.db'],
    ['state.sqlite, absolute', `state: { sqlite: /var/lib/kpid/kpid.db }\n${TARGET()}`, (c: Loaded) => ('sqlite' in c.state ? c.state.sqlite : ''), '/var/lib/kpid/kpid.db'],
    ['storage.influx.spool.dir', `${INFLUX(', spool: { dir: ../spool }')}${TARGET()}`, (c: Loaded) => c.storage.influx!.spool.dir, '/etc/spool'],
    ['storage.influx.spool.dir default', `${INFLUX('')}${TARGET()}`, (c: Loaded) => c.storage.influx!.spool.dir, '/etc/kpid/data/spool'],
    ['storage.influx.spool.dir, absolute', `${INFLUX(', spool: { dir: /var/spool/kpid }')}${TARGET()}`, (c: Loaded) => c.storage.influx!.spool.dir, '/var/spool/kpid'],
    ['rules: globs', `rules: [ "alert-rules/*.yaml", "/opt/rules/x.yaml" ]\n${TARGET()}`, (c: Loaded) => c.rules.join(' '), '/etc/kpid/alert-rules/*.yaml /opt/rules/x.yaml'],
    ['an http probe\'s tls_ca', TARGET(HTTP('ca/issuer.pem')), tlsCa, '/etc/kpid/ca/issuer.pem'],
    ['an http probe\'s tls_ca, absolute', TARGET(HTTP('/etc/ssl/ca.pem')), tlsCa, '/etc/ssl/ca.pem'],
  ])('%s', (_key, text, read, expected) => {
    expect(read(parseConfig('/etc/kpid/kpid.yaml', text, {}))).toBe(expected);
  });
});
