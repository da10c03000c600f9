// What the SNMP collector sends for polled interfaces (device-poll.ts), for
// the rule engine benches: every field an interface rule reads, the error,
// discard and packet counts the ratio rules need, and `monitored` (without
// it no shipped interface rule passes its field filter).

const PER_TARGET = 1_000;

/** Tags of `n` interfaces, 1,000 a target: one object per interface, reused between polls as device-poll.ts does. */
export function interfaceTags(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor(i / PER_TARGET);
    out.push({ target: `ifb${t}`, site: `site${t}`, interface: `ifb${i % PER_TARGET}`, descr: `ifb${i % PER_TARGET}`, alias: '', ifindex: String(1 + (i % PER_TARGET)) });
  }
  return out;
}

/** One poll of every interface at `time`: counters since the previous poll and the rates derived from them. */
export function interfacePoll(tags, round, time) {
  return tags.map((t, i) => {
    const x = ((i * 7919 + round * 104729) % 1000) / 1000;
    const packets = 1_000 + Math.floor(x * 50_000);
    return {
      measurement: 'interface', tags: t, time,
      fields: {
        oper_up: 1, admin_up: 1, monitored: 1, speed_bps: 1e9,
        in_bytes: packets * 800, out_bytes: packets * 400, in_packets: packets, out_packets: packets >> 1,
        in_errors: i % 97 === 0 ? 20 : 0, out_errors: 0, in_discards: 0, out_discards: x < 0.01 ? 3 : 0,
        in_bps: x * 6.4e8, out_bps: x * 3.2e8, in_utilization: x * 0.64, out_utilization: x * 0.32,
        in_errors_ratio: 0, out_errors_ratio: 0, in_discards_ratio: 0, out_discards_ratio: 0,
      },
    };
  });
}
