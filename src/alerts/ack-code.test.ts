import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { AckCodes } from './ack-code.js';

const HOUR = 3_600_000;
const KEY = 'a-key-of-at-least-32-characters-for-tests';
const ALERT = '3f9a0c1d2e4b5a67';
const OUTAGE = 'o-0123456789ab';

function codes(key = KEY, ttl = 24 * HOUR) {
  const clock = new FakeClock(Date.parse('2026-12-02T02:49:44Z'));
  return { clock, codes: new AckCodes({ key, clock, ttl: () => ttl }) };
}

/** Flips the bits of `mask` in byte `at` of the code. */
function tamper(code: string, at: number, mask: number): string {
  const raw = Buffer.from(code, 'base64url');
  raw[at] = raw[at]! ^ mask;
  return raw.toString('base64url');
}

describe('ack link codes', () => {
  it('an alert code is 31 characters and says which alert, which action and until when', () => {
    const { codes: c } = codes();
    const code = c.sign(ALERT);
    expect(code).toMatch(/^[A-Za-z0-9_-]{31}$/);
    expect(c.verify(code)).toEqual({ ok: true, id: ALERT, action: 'ack', expiresAt: Date.parse('2026-12-03T02:49:44Z') });
  });

  it('outage ids and ids of any other shape come back unchanged', () => {
    const { codes: c } = codes();
    expect(c.verify(c.sign(OUTAGE))).toMatchObject({ ok: true, id: OUTAGE });
    expect(c.verify(c.sign('fp-Ünïcode'))).toMatchObject({ ok: true, id: 'fp-Ünïcode' });
  });

  it('is good until its ttl has passed, and expired from then on', () => {
    const { clock, codes: c } = codes(KEY, 2 * HOUR);
    const code = c.sign(ALERT);
    clock.advance(2 * HOUR - 1000);
    expect(c.verify(code).ok).toBe(true);
    clock.advance(1000);
    expect(c.verify(code)).toEqual({ ok: false, why: 'expired', expiresAt: Date.parse('2026-12-02T04:49:44Z') });
  });

  it('the ttl is read at each signing (a reload changes it)', () => {
    const clock = new FakeClock(0);
    let ttl = HOUR;
    const c = new AckCodes({ key: KEY, clock, ttl: () => ttl });
    const first = c.sign(ALERT);
    ttl = 10_000;
    expect(c.verify(first)).toMatchObject({ expiresAt: HOUR });
    expect(c.verify(c.sign(ALERT))).toMatchObject({ expiresAt: 10_000 });
  });

  it('a code signed with another key is forged', () => {
    const other = codes('another-key-of-at-least-32-characters').codes.sign(ALERT);
    expect(codes().codes.verify(other)).toEqual({ ok: false, why: 'forged' });
  });

  it.each([
    ['the action bits', 0, 0b0100],
    ['the expiry (a longer life)', 1, 0x01],
    ['the alert id (another alert)', 12, 0x01],
    ['the MAC', 22, 0x80],
  ])('changing %s makes it forged: each code is for one action on one alert', (_what, at, mask) => {
    const { codes: c } = codes();
    expect(c.verify(tamper(c.sign(ALERT), at, mask))).toEqual({ ok: false, why: 'forged' });
  });

  it('a truncated code is refused, however much is cut', () => {
    const { codes: c } = codes();
    const code = c.sign(ALERT);
    for (let n = 0; n < code.length; n++) expect(c.verify(code.slice(0, n)).ok, `first ${n} characters`).toBe(false);
    expect(c.verify(code.slice(0, -1))).toMatchObject({ why: 'forged' });
    expect(c.verify(code.slice(0, 10))).toEqual({ ok: false, why: 'malformed' });
  });

  it('text that is not base64url is malformed, not an exception', () => {
    const { codes: c } = codes();
    for (const bad of ['', 'a/b', 'code with spaces', '%41%41', 'x'.repeat(500)]) expect(c.verify(bad)).toEqual({ ok: false, why: 'malformed' });
  });
});
