import type { SnmpOptions } from './snmp-options.js';
import type { Clock } from '../../core/clock.js';
import type { Sample } from '../../core/sample.js';
import { targetTags, type Target } from '../../core/target.js';
import { continuity, type Continuity, type UptimeReading } from './counter-rates.js';
import { customFields, readCustom, type CustomCounters } from './custom-oids.js';
import { InterfaceCounters, slotAllocator } from './interface-counters.js';
import { interfaceRates, interfaceSpeed } from './interface-rates.js';
import { interfaceColumns, interfaceFilter, InterfaceTable, type InterfaceRow } from './interface-table.js';
import { IF_MIB, IF_STATUS, SNMP_ENGINE_BOOTS, SYSTEM } from './oids.js';
import type { SnmpSession } from './snmp-session.js';
import { visitColumns, type WalkOptions } from './table-walker.js';
import { asNumber, asText, SnmpType } from './varbind-values.js';

/** What the last poll kept of one interface, besides its counters. */
export interface InterfaceSnapshot {
  /** Where its counters are in DeviceMemory.counters; the same at every poll while it stays. */
  readonly slot: number;
  /** The tags its sample carried, reused by the next poll when unchanged. */
  readonly tags: Readonly<Record<string, string>>;
}

/** What a target's previous poll left behind: the baseline for the next one's rates. */
export interface DeviceMemory {
  uptime?: UptimeReading;
  /** The interfaces the last poll kept, by ifIndex: only these have a baseline. */
  interfaces: Map<string, InterfaceSnapshot>;
  /** Their counters at the last poll, by slot. */
  counters: InterfaceCounters;
  /**
   * The counters of the poll before, whose arrays the next poll fills
   * instead of allocating its own; taken by that poll (a poll that fails
   * leaves the baseline alone, and the next one allocates again).
   */
  spare?: InterfaceCounters;
  custom: CustomCounters;
  /** The agent has no ifHCInOctets: read the 32-bit ifTable counters instead. */
  legacyCounters?: boolean;
  sysName?: string;
}

export function emptyMemory(): DeviceMemory {
  return { interfaces: new Map(), counters: new InterfaceCounters(), custom: new Map() };
}

export interface PollResult {
  readonly samples: Sample[];
  readonly memory: DeviceMemory;
  readonly continuity: Continuity;
  readonly sysName?: string;
  readonly sysDescr?: string;
}

/** Samples gathered so far, handed back with a failure (the interface samples of a poll whose custom walk failed). */
export class PartialPoll extends Error {
  constructor(readonly failure: unknown, readonly samples: Sample[]) {
    super('poll failed part way');
  }
}

/**
 * Integer fields of every `interface` sample, one array shared by all of
 * them (a field listed but absent is harmless): `monitored` is added by
 * monitored-links.ts.
 */
const INTERFACE_INTEGERS: readonly string[] = Object.freeze([
  'oper_up', 'admin_up', 'speed_bps', 'in_bytes', 'out_bytes', 'in_packets', 'in_errors', 'in_discards', 'out_packets', 'out_errors', 'out_discards', 'monitored',
]);

/**
 * The tags of an interface's samples: the previous poll's object when
 * nothing in it changed, so a poll does not build 1,000 equal objects and
 * whatever keys a sink derives from them can be kept by identity.
 */
function interfaceTags(before: InterfaceSnapshot | undefined, base: Readonly<Record<string, string>>, row: InterfaceRow): Readonly<Record<string, string>> {
  const t = before?.tags;
  if (t && t.target === base.target && t.site === base.site && t.interface === row.name && t.descr === row.descr && t.alias === row.alias && t.ifindex === row.index) return t;
  return { ...base, interface: row.name, descr: row.descr, alias: row.alias, ifindex: row.index };
}

/**
 * One poll of one device: system group, then IF-MIB, then custom OIDs.
 * Rates are computed against `prev` with the local poll time, and only when
 * the device stayed up in between.
 */
export async function pollDevice(
  session: SnmpSession, target: Target, spec: SnmpOptions, prev: DeviceMemory, clock: Clock, signal: AbortSignal,
): Promise<PollResult> {
  const started = clock.now();
  const tags = targetTags(target);
  const walk: WalkOptions = {
    maxRepetitions: spec.maxRepetitions, maxRows: spec.maxRows, parallel: spec.maxParallelWalks, signal, now: () => clock.now(),
  };
  const samples: Sample[] = [];
  const counters = prev.spare ?? new InterfaceCounters();
  prev.spare = undefined;
  counters.clear();
  const memory: DeviceMemory = {
    interfaces: new Map(), counters, spare: prev.counters, custom: new Map(), legacyCounters: prev.legacyCounters || spec.version === '1',
  };

  // sysUpTime is read whatever the modules: it tells a reboot from a wrap.
  const systemOids: string[] = [SYSTEM.sysUpTime];
  if (spec.modules.includes('system')) systemOids.push(SYSTEM.sysName, SYSTEM.sysDescr);
  if (spec.version === '3') systemOids.push(SNMP_ENGINE_BOOTS);
  const sys = await session.get(systemOids, signal);
  const at = started;
  const byOid = new Map(sys.map((vb) => [vb.oid, vb]));
  const present = (oid: string) => {
    const vb = byOid.get(oid);
    return vb && vb.type !== SnmpType.NoSuchObject && vb.type !== SnmpType.NoSuchInstance ? vb : undefined;
  };
  const upVb = present(SYSTEM.sysUpTime);
  const bootsVb = present(SNMP_ENGINE_BOOTS);
  const ticks = upVb ? asNumber(upVb) : undefined;
  if (ticks !== undefined) memory.uptime = { ticks, at, engineBoots: bootsVb ? asNumber(bootsVb) : undefined };
  // Without sysUpTime the agent cannot say it rebooted; counters then judge for themselves.
  const cont: Continuity = memory.uptime ? continuity(prev.uptime, memory.uptime) : prev.interfaces.size ? 'frozen' : 'first';
  const comparable = cont !== 'first' && cont !== 'rebooted';
  const nameVb = present(SYSTEM.sysName);
  const descrVb = present(SYSTEM.sysDescr);
  let resets = cont === 'rebooted' ? 1 : 0;
  let discarded = 0;

  const finish = (): Sample => ({
    measurement: 'device',
    tags,
    fields: {
      up: 1,
      ...(ticks !== undefined ? { uptime_seconds: ticks / 100 } : {}),
      poll_seconds: (clock.now() - started) / 1000,
      counter_resets: resets,
      discarded_rates: discarded,
    },
    time: at,
    integerFields: ['up', 'counter_resets', 'discarded_rates'],
  });

  try {
    if (spec.modules.includes('interfaces')) {
      const table = new InterfaceTable(counters, slotAllocator(prev.interfaces));
      await visitColumns(session, interfaceColumns(memory.legacyCounters ? 'legacy' : 'hc').map((c) => IF_MIB[c]), walk, table.take);
      if (!memory.legacyCounters && table.rowsOf(IF_MIB.ifHCInOctets) === 0 && table.rowsOf(IF_MIB.ifDescr) > 0) {
        memory.legacyCounters = true;
        await visitColumns(session, interfaceColumns('legacy').map((c) => IF_MIB[c]), walk, table.take);
      }
      const keep = interfaceFilter(spec.interfaces);
      for (const row of table.rows()) {
        if (!keep(row)) continue;
        const before = prev.interfaces.get(row.index);
        // The slot is its last poll's (slotAllocator): with the same tags, what is kept is kept as it was.
        const rowTags = interfaceTags(before, tags, row);
        const snapshot: InterfaceSnapshot = before && before.tags === rowTags ? before : { slot: row.slot, tags: rowTags };
        memory.interfaces.set(row.index, snapshot);
        const speed = interfaceSpeed(row.ifSpeed, row.ifHighSpeed);
        let fields: Record<string, number> = {};
        if (comparable && before) {
          const r = interfaceRates(prev.counters, before.slot, counters, row.slot, speed);
          fields = r.fields;
          resets += r.resets;
          discarded += r.discarded;
        }
        if (row.operStatus !== undefined) fields.oper_up = row.operStatus === IF_STATUS.up ? 1 : 0;
        if (row.adminStatus !== undefined) fields.admin_up = row.adminStatus === IF_STATUS.up ? 1 : 0;
        if (speed !== undefined) fields.speed_bps = speed;
        samples.push({ measurement: 'interface', tags: snapshot.tags, fields, time: at, integerFields: INTERFACE_INTEGERS });
      }
    }
    if (spec.modules.includes('custom') && spec.custom.length > 0) {
      const rows = await readCustom(session, spec.custom, walk);
      const r = customFields(spec.custom, rows, prev.custom, comparable);
      memory.custom = r.counters;
      resets += r.resets;
      for (const row of r.rows) samples.push({ measurement: row.measurement, tags: { ...tags, ...row.tags }, fields: row.fields, time: at });
    }
  } catch (err) {
    samples.push(finish());
    throw new PartialPoll(err, samples);
  }
  samples.push(finish());
  return {
    samples, memory, continuity: cont,
    sysName: nameVb ? asText(nameVb) : undefined,
    sysDescr: descrVb ? asText(descrVb) : undefined,
  };
}
