import { randomBytes } from 'node:crypto';
import { AckCodes } from '../alerts/ack-code.js';
import type { StateStore } from '../alerts/state/state-store.js';
import type { KpidConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';

/** Name of the generated key in the state store. */
const KEY_NAME = 'ack-link-key';

/**
 * The signer of one-tap ack links, once its key is known: server.ack_links.key,
 * or else a random key generated once and kept in the state store (SQLite, or
 * Redis for a cluster, so every member signs and checks the same codes).
 * Messages and the /a/ routes read it lazily: before the store opens there is none.
 */
export class AckLinkSigner {
  codes?: AckCodes;

  constructor(private readonly clock: Clock) {}

  async load(server: KpidConfig['server'], store: StateStore): Promise<void> {
    const key = server.ack_links.key ?? (await store.keepSecret(KEY_NAME, randomBytes(32).toString('base64url')));
    const ttl = server.ack_links.ttl;
    this.codes = new AckCodes({ key, clock: this.clock, ttl: () => ttl });
  }

  /** A code for the alert fingerprint or outage id; undefined until the key is loaded. */
  sign(id: string): string | undefined {
    return this.codes?.sign(id);
  }
}
