import type { Sample } from '../../core/sample.js';

/**
 * Which interface an ifIndex is, per target, learned from the `interface`
 * samples the SNMP collector publishes; a linkDown trap names only the
 * ifIndex, and its samples must carry the same tags as the polled ones.
 */
export class InterfaceIndex {
  private readonly byTarget = new Map<string, Map<number, Readonly<Record<string, string>>>>();
  private readonly adminUp = new Map<string, number>();
  private readonly monitored = new Map<string, number>();

  learn(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (s.measurement !== 'interface' || !s.tags.target || !s.tags.ifindex) continue;
      const idx = Number(s.tags.ifindex);
      let m = this.byTarget.get(s.tags.target);
      if (!m) this.byTarget.set(s.tags.target, (m = new Map()));
      if (m.get(idx) !== s.tags) m.set(idx, s.tags);
      if (s.fields.admin_up !== undefined) this.adminUp.set(`${s.tags.target}/${idx}`, s.fields.admin_up);
      if (s.fields.monitored !== undefined) this.monitored.set(`${s.tags.target}/${idx}`, s.fields.monitored);
    }
  }

  /** ifAdminStatus last polled for the interface (1 up), if known. */
  lastAdminUp(target: string, ifIndex: number): number | undefined {
    return this.adminUp.get(`${target}/${ifIndex}`);
  }

  /** Whether the last poll judged the link monitored (1), so a linkDown trap on an unused port pages nobody. */
  lastMonitored(target: string, ifIndex: number): number | undefined {
    return this.monitored.get(`${target}/${ifIndex}`);
  }

  tags(target: string, ifIndex: number): Readonly<Record<string, string>> | undefined {
    return this.byTarget.get(target)?.get(ifIndex);
  }

  /** A target left the config: everything learned of its interfaces goes. */
  forget(target: string): void {
    this.byTarget.delete(target);
    const prefix = `${target}/`;
    for (const known of [this.adminUp, this.monitored]) {
      for (const key of known.keys()) if (key.startsWith(prefix)) known.delete(key);
    }
  }
}
