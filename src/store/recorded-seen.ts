import type { Sample } from '../core/sample.js';

/** What is written of one target: its own first-seen record, and its interfaces' and probes' by name. */
interface TargetSeen {
  self: boolean;
  readonly interfaces: Set<string>;
  readonly probes: Set<string>;
}

/**
 * The first-seen records the rollup has written (keys as seenKeys builds
 * them: "target\0", "target\0interface=Gi0/1", "target\0probe=ping"), held
 * by target and name, so that a sample whose records are all written is
 * told so from the tags it carries: seenKeys built an array and two
 * strings for every sample of every poll to find that out.
 */
export class RecordedSeen {
  private readonly targets = new Map<string, TargetSeen>();

  /** Whether every record seenKeys(s) names is written (false for a sample with no target). */
  covers(s: Sample): boolean {
    const target = s.tags.target;
    const t = target ? this.targets.get(target) : undefined;
    if (!t?.self) return false;
    if (s.measurement === 'interface' && s.tags.interface) return t.interfaces.has(s.tags.interface);
    if (s.measurement === 'probe' && s.tags.probe) return t.probes.has(s.tags.probe);
    return true;
  }

  has(key: string): boolean {
    const { target, name, kind } = parse(key);
    const t = this.targets.get(target);
    if (!t) return false;
    return kind === undefined ? t.self : t[kind].has(name);
  }

  add(key: string): void {
    const { target, name, kind } = parse(key);
    let t = this.targets.get(target);
    if (!t) this.targets.set(target, (t = { self: false, interfaces: new Set(), probes: new Set() }));
    if (kind === undefined) t.self = true;
    else t[kind].add(name);
  }
}

function parse(key: string): { target: string; name: string; kind?: 'interfaces' | 'probes' } {
  const cut = key.indexOf('\u0000');
  const target = key.slice(0, cut);
  const series = key.slice(cut + 1);
  if (series.startsWith('interface=')) return { target, name: series.slice('interface='.length), kind: 'interfaces' };
  if (series.startsWith('probe=')) return { target, name: series.slice('probe='.length), kind: 'probes' };
  return { target, name: series };
}
