import { z } from 'zod';
import { probe } from './sections/probes.js';
import { defaults, queue, server, state } from './sections/server.js';
import { cluster } from './sections/cluster.js';
import { storage } from './sections/storage.js';
import { ingest } from '../collectors/ingest/ingest-config.js';
import { traps } from '../collectors/trap/trap-config.js';
import { notifySchema } from './sections/notify.js';
import { snmpTarget } from '../collectors/snmp/snmp-config.js';
import { duration } from './duration-schema.js';
import { probeName } from './probe-name.js';
import { kpis } from './sections/kpis.js';
import { maintenance } from './sections/maintenance.js';
import { silences } from './sections/silences.js';
import { flapping } from './sections/flapping.js';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _');

export const targetSchema = z.strictObject({
  name: z.string().min(1).regex(/^[^\s"\\]+$/, 'target names have no spaces, quotes or backslashes'),
  site: z.string().min(1).default('default'),
  /** IP address or DNS name. An IPv6 literal may be written in brackets, as in URLs; kpid stores it bare. */
  address: z.string().min(1).transform((a) => a.replace(/^\[([0-9A-Fa-f:.]+)\]$/, '$1')),
  labels: z.record(labelName, z.string()).default({}),
  interval: duration({ min: 100 }).optional(),
  timeout: duration({ min: 10 }).optional(),
  series_lifetime: duration({ min: 200 }).optional(),
  snmp: snmpTarget.optional(),
  probes: z.array(probe).default([]),
});

export const configSchema = z
  .strictObject({
    server,
    state,
    queue,
    storage,
    ingest,
    cluster,
    defaults,
    rules: z.array(z.string().min(1)).default([]),
    flapping,
    kpis,
    targets: z.array(targetSchema).default([]),
    /** A kpid that only receives (ingest, traps) says so; otherwise no targets is a mistake, such as a truncated file. */
    allow_empty_targets: z.boolean().default(false),
    // traps: and notify: may be absent: then there is no trap listener and no channel.
    traps: traps.optional(),
    notify: notifySchema.optional(),
    maintenance,
    silences,
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.targets.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `duplicate target name "${t.name}" (first used by targets.${first})`,
        });
      } else seen.set(t.name, i);
      const interval = t.interval ?? cfg.defaults.interval;
      const timeout = t.timeout ?? cfg.defaults.timeout;
      if (timeout > interval) {
        ctx.addIssue({
          code: 'custom',
          path: t.timeout !== undefined ? ['targets', i, 'timeout'] : ['targets', i],
          message: `timeout (${timeout}ms) is longer than the poll interval (${interval}ms) of target "${t.name}"`,
        });
      }
      const lifetime = t.series_lifetime ?? cfg.defaults.series_lifetime;
      if (lifetime !== undefined && lifetime < 2 * interval) {
        ctx.addIssue({
          code: 'custom',
          path: t.series_lifetime !== undefined ? ['targets', i, 'series_lifetime'] : ['targets', i],
          message: `series_lifetime (${lifetime}ms) of target "${t.name}" is shorter than two poll intervals (${2 * interval}ms): one late poll would forget its series and their rule windows`,
        });
      }
      const probeNames = new Set<string>();
      t.probes.forEach((p, j) => {
        const name = probeName(p);
        if (probeNames.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'probes', j],
            message: `target "${t.name}" has two probes named "${name}"; give one a name:`,
          });
        }
        probeNames.add(name);
        if (p.type === 'throughput' && p.timeout !== undefined && p.timeout > interval) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'probes', j, 'timeout'],
            message: `throughput probe "${name}" of target "${t.name}" may run ${p.timeout}ms, longer than the poll interval (${interval}ms): raise interval or lower timeout`,
          });
        }
        if (p.type === 'throughput' && p.mode === 'iperf3' && p.duration >= (p.timeout ?? timeout)) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'probes', j, 'duration'],
            message: `iperf3 probe "${name}" of target "${t.name}" sends for ${p.duration}ms but may run only ${p.timeout ?? timeout}ms (its timeout): lower duration or raise timeout`,
          });
        }
      });
    });
    if (cfg.defaults.timeout > cfg.defaults.interval) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'timeout'], message: 'timeout is longer than the interval' });
    }
  });

export type KpidConfigInput = z.input<typeof configSchema>;
export type KpidConfigParsed = z.output<typeof configSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
