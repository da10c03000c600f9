import type { Channel, RenderedMessage } from '../delivery.js';
import type { ChannelOptions } from '../notify-options.js';

/** Builds the channels for the named options (notify/channels/build-channels.ts). */
export type BuildChannels = (channels: Readonly<Record<string, ChannelOptions>>) => Map<string, Channel>;

/**
 * The channels notify sends through, by name, swapped at a reload without
 * losing or repeating a message. A job in the queue names its channel, not a
 * server: it goes out through whatever that name means when it is sent, so
 * a new SMTP server or SMSC applies to messages already queued. A send
 * already under way finishes on the channel it started on, which closes only
 * after it. A channel removed from the config stays reachable by its name
 * for the jobs still queued for it, and closes with notify.
 */
export class ChannelSet {
  private current: Map<string, Channel>;
  private options: Readonly<Record<string, ChannelOptions>>;
  /** Channels the config no longer has, kept for jobs queued before the reload. */
  private readonly removed = new Map<string, Channel>();
  /** Sends under way, per channel object. */
  private readonly sending = new Map<Channel, Set<Promise<void>>>();
  private readonly closing = new Set<Promise<void>>();

  constructor(options: Readonly<Record<string, ChannelOptions>>, channels: ReadonlyMap<string, Channel>) {
    this.options = options;
    this.current = new Map(channels);
  }

  get(name: string): Channel | undefined {
    return this.current.get(name) ?? this.removed.get(name);
  }

  /** Sends through the channel of that name now; undefined when there is none. */
  send(name: string, message: RenderedMessage, recipient: string): Promise<void> | undefined {
    const ch = this.get(name);
    if (!ch) return undefined;
    const p = ch.send(message, recipient);
    const set = this.sending.get(ch) ?? new Set();
    this.sending.set(ch, set);
    const tracked = p.then(() => {}, () => {}).finally(() => {
      set.delete(tracked);
      if (!set.size) this.sending.delete(ch);
    });
    set.add(tracked);
    return p;
  }

  /**
   * Applies the channels of a reloaded config: an unchanged channel keeps its
   * object (an SMPP bind stays up); a changed one is rebuilt and the old one
   * closes once its sends in flight are done. Returns the names that changed.
   */
  replace(options: Readonly<Record<string, ChannelOptions>>, build: BuildChannels): { changed: string[]; added: string[]; removed: string[] } {
    const same = (name: string) => JSON.stringify(this.options[name]) === JSON.stringify(options[name]);
    const changed = Object.keys(options).filter((n) => n in this.options && !same(n));
    const added = Object.keys(options).filter((n) => !(n in this.options));
    const removed = Object.keys(this.options).filter((n) => !(n in options));
    const built = build(Object.fromEntries([...changed, ...added].map((n) => [n, options[n]!])));
    for (const name of changed) this.retire(this.current.get(name));
    for (const name of removed) {
      const ch = this.current.get(name);
      if (ch) this.removed.set(name, ch);
      this.current.delete(name);
    }
    for (const [name, ch] of built) {
      this.retire(this.removed.get(name));
      this.removed.delete(name);
      this.current.set(name, ch);
    }
    this.options = options;
    return { changed, added, removed };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.closing]);
    await Promise.allSettled([...this.current.values(), ...this.removed.values()].map((c) => c.close()));
  }

  private retire(ch: Channel | undefined): void {
    if (!ch) return;
    const p = Promise.allSettled([...(this.sending.get(ch) ?? [])])
      .then(() => ch.close())
      .catch(() => {})
      .finally(() => this.closing.delete(p));
    this.closing.add(p);
  }
}
