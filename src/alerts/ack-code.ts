import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';

/**
 * The code of a one-tap ack link (`<server.public_url>/a/<code>`): it is the
 * authorisation for one action on one alert or outage until it expires, so
 * it is signed, and short enough to fit an SMS beside the alert line.
 *
 * Layout, then base64url without padding (31 characters for an alert):
 *
 *   byte 0      version (high 4 bits) | action (2 bits) | id kind (2 bits)
 *   bytes 1-4   expiry, seconds since the epoch, big-endian (good until 2106)
 *   bytes 5-    the id: an alert fingerprint (16 hex digits) as 8 bytes, an
 *               outage id ("o-" and 12 hex digits) as 6, anything else as UTF-8
 *   last 10     HMAC-SHA256 over a domain tag and the bytes before, cut to 80 bits
 *
 * 80 bits of MAC: a forger must guess online, one HTTP request per guess;
 * 2^79 requests on average is out of reach, and a full 256-bit MAC would add
 * 30 characters to every SMS. The MAC covers version, action, kind, expiry
 * and id, so no part can be changed or moved to another alert.
 */
export type AckAction = 'ack';

export interface AckCodeClaim {
  readonly id: string;
  readonly action: AckAction;
  /** Epoch ms; the code is refused from this time on. */
  readonly expiresAt: number;
}

/** Why a code is refused: `malformed` (not a code at all), `forged` (MAC wrong), `expired`. */
export type AckCodeRefusal = 'malformed' | 'forged' | 'expired';

export type AckCodeCheck = ({ readonly ok: true } & AckCodeClaim) | { readonly ok: false; readonly why: AckCodeRefusal; readonly expiresAt?: number };

const VERSION = 1;
const ACTIONS: readonly AckAction[] = ['ack'];
const MAC_BYTES = 10;
const DOMAIN = Buffer.from('kpid ack link\0');
const KIND = { alert: 0, outage: 1, text: 2 } as const;

export const DEFAULT_ACK_LINK_TTL = 24 * 3_600_000;

export interface AckCodesOptions {
  /** The HMAC key: server.ack_links.key, or the one kept in the state store. */
  readonly key: string | Buffer;
  readonly clock: Clock;
  /** How long a code is good for, ms; read at each signing so a reload can change it. Default 24 h. */
  readonly ttl?: () => number;
}

export class AckCodes {
  constructor(private readonly o: AckCodesOptions) {}

  /** A code for `action` on the alert fingerprint or outage id `id`, good for the ttl from now. */
  sign(id: string, action: AckAction = 'ack'): string {
    const ttl = this.o.ttl?.() ?? DEFAULT_ACK_LINK_TTL;
    const expires = Math.ceil((this.o.clock.now() + ttl) / 1000);
    const { kind, bytes } = packId(id);
    const head = Buffer.alloc(5);
    head[0] = (VERSION << 4) | (ACTIONS.indexOf(action) << 2) | kind;
    head.writeUInt32BE(expires, 1);
    const payload = Buffer.concat([head, bytes]);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  /** What the code allows, or why it is refused. The MAC is checked before anything the code says is believed. */
  verify(code: string): AckCodeCheck {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(code)) return { ok: false, why: 'malformed' };
    const raw = Buffer.from(code, 'base64url');
    if (raw.length < 5 + 1 + MAC_BYTES) return { ok: false, why: 'malformed' };
    const payload = raw.subarray(0, raw.length - MAC_BYTES);
    const given = raw.subarray(raw.length - MAC_BYTES);
    if (!timingSafeEqual(given, this.mac(payload))) return { ok: false, why: 'forged' };
    const action = ACTIONS[(payload[0]! >> 2) & 0b11];
    const id = unpackId(payload[0]! & 0b11, payload.subarray(5));
    if (payload[0]! >> 4 !== VERSION || !action || id === undefined) return { ok: false, why: 'malformed' };
    const expiresAt = payload.readUInt32BE(1) * 1000;
    if (this.o.clock.now() >= expiresAt) return { ok: false, why: 'expired', expiresAt };
    return { ok: true, id, action, expiresAt };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.o.key).update(DOMAIN).update(payload).digest().subarray(0, MAC_BYTES);
  }
}

function packId(id: string): { kind: number; bytes: Buffer } {
  if (/^[0-9a-f]{16}$/.test(id)) return { kind: KIND.alert, bytes: Buffer.from(id, 'hex') };
  if (/^o-[0-9a-f]{12}$/.test(id)) return { kind: KIND.outage, bytes: Buffer.from(id.slice(2), 'hex') };
  return { kind: KIND.text, bytes: Buffer.from(id, 'utf8') };
}

function unpackId(kind: number, bytes: Buffer): string | undefined {
  switch (kind) {
    case KIND.alert: return bytes.length === 8 ? bytes.toString('hex') : undefined;
    case KIND.outage: return bytes.length === 6 ? `o-${bytes.toString('hex')}` : undefined;
    case KIND.text: return bytes.length ? bytes.toString('utf8') : undefined;
    default: return undefined;
  }
}
