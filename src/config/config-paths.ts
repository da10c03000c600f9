import { dirname, isAbsolute, resolve } from 'node:path';
import type { KpidConfigParsed } from './schema.js';

/**
 * Every file path a config names, resolved against the directory of the
 * file that names it, as Prometheus does: `state.sqlite`,
 * `storage.influx.spool.dir`, the `rules:` globs and each http probe's
 * `tls_ca`. An absolute path stays as written. Done once, here, so the
 * running code and `kpid report -c FILE` find the same files from any
 * working directory.
 */
export function withPathsResolved(cfg: KpidConfigParsed, file: string): KpidConfigParsed {
  const dir = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const { state, storage } = cfg;
  return {
    ...cfg,
    state: 'sqlite' in state ? { ...state, sqlite: at(state.sqlite) } : state,
    storage: storage.influx ? { ...storage, influx: { ...storage.influx, spool: { ...storage.influx.spool, dir: at(storage.influx.spool.dir) } } } : storage,
    rules: cfg.rules.map(at),
    targets: cfg.targets.map((t) => ({
      ...t,
      probes: t.probes.map((p) => (p.type === 'http' && p.tls_ca !== undefined ? { ...p, tls_ca: at(p.tls_ca) } : p)),
    })),
  };
}
