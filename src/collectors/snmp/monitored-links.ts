import type { InterfaceFilterOptions, LinkMatcherOptions } from './snmp-options.js';
import { linearRegex, type LinearRegex } from '../../core/linear-regex.js';
import type { LinksSeenUp } from '../../core/links-seen-up.js';
import type { Logger } from '../../core/logger.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';

/** What a matcher reads of a link: the names an operator knows it by. */
export interface LinkFacts {
  readonly name: string;
  readonly alias: string;
  readonly descr: string;
  /** The target's labels, with `target` and `site`. */
  readonly labels: Readonly<Record<string, string>>;
}

// Names and aliases come from the device: matched in linear time (RE2), each pattern compiled once.
const patterns = new Map<string, LinearRegex>();
function compiled(pattern: string): LinearRegex {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = linearRegex(pattern)));
  return re;
}

/** A link matches when every key the matcher gives matches. */
export function matchesLink(m: LinkMatcherOptions, link: LinkFacts): boolean {
  const re = (pattern: string | undefined, text: string) => pattern === undefined || compiled(pattern).test(text);
  return re(m.name, link.name) && re(m.alias, link.alias) && re(m.descr, link.descr) &&
    Object.entries(m.labels ?? {}).every(([k, v]) => link.labels[k] === v);
}

/**
 * Whether interface rules may alert on a link: 0 for a port nobody uses, so a
 * switch full of empty access ports pages nobody. `never_alert` wins; then
 * `must_be_up`; otherwise a link is monitored once kpid has seen it up.
 */
export function isMonitored(cfg: InterfaceFilterOptions, link: LinkFacts, seenUp: boolean): boolean {
  if (cfg.neverAlert.some((m) => matchesLink(m, link))) return false;
  return seenUp || cfg.mustBeUp.some((m) => matchesLink(m, link));
}

/**
 * Adds `monitored: 1|0` to every `interface` sample of a poll, remembering
 * each link the first time it is seen operationally up. The store is read
 * when a target is first polled (so a restart during a fibre cut still knows
 * the link, and in a cluster the instance taking a target over knows what
 * its previous poller saw) and written through; while the store cannot be
 * read, links seen up by this process still count, and the read is tried
 * again next poll.
 */
export class MonitoredLinks {
  private readonly seen = new Set<string>();
  /** Targets whose links were read from the store since this collector first polled them. */
  private readonly loaded = new Set<string>();

  constructor(private readonly memory: LinksSeenUp | undefined, private readonly log: Logger) {}

  /** Sets `monitored` on the `interface` samples, which must list it among their integerFields. */
  async mark(target: Target, cfg: InterfaceFilterOptions, samples: readonly Sample[], at: number): Promise<Sample[]> {
    await this.load(target.name);
    const labels = { ...target.labels, target: target.name, site: target.site };
    // The poll's own samples, just built: marked in place rather than copied (three objects per interface per poll).
    for (const s of samples) {
      if (s.measurement !== 'interface') continue;
      const link: LinkFacts = { name: s.tags.interface ?? '', alias: s.tags.alias ?? '', descr: s.tags.descr ?? '', labels };
      const key = `${target.name}/${link.name}`;
      if (s.fields.oper_up === 1 && !this.seen.has(key)) this.remember(key, at);
      (s.fields as Record<string, number>).monitored = isMonitored(cfg, link, this.seen.has(key)) ? 1 : 0;
    }
    return samples as Sample[];
  }

  private remember(key: string, at: number): void {
    this.seen.add(key);
    this.memory?.rememberLinkSeenUp(key, at).catch((err: Error) =>
      this.log.warn({ link: key, err: err.message }, 'could not record that a link was seen up; it counts until kpid restarts'));
  }

  /**
   * The target left this instance (removed, or handed over in a cluster):
   * its links leave memory, and are read again from the store if it comes
   * back; another instance may have seen links up meanwhile.
   */
  forget(targetName: string): void {
    this.loaded.delete(targetName);
    const prefix = `${targetName}/`;
    for (const key of this.seen) if (key.startsWith(prefix)) this.seen.delete(key);
  }

  private async load(targetName: string): Promise<void> {
    if (this.loaded.has(targetName) || !this.memory) return;
    try {
      for (const key of await this.memory.linksSeenUp()) this.seen.add(key);
      this.loaded.add(targetName);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not read which links were seen up; a link counts once seen up again');
    }
  }
}
