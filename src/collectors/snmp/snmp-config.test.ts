import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { snmpTarget } from './snmp-config.js';

describe('snmp config section', () => {
  it('the shipped voice-switch example loads and maps call counters into `voice`', () => {
    const cfg = loadConfig('config/examples/voice-switch.yaml', { VOICE_SW_AUTH_KEY: 'auth-key-123', VOICE_SW_PRIV_KEY: 'priv-key-123' });
    const snmp = cfg.targets[0]!.snmp!;
    expect(snmp.version).toBe('3');
    expect(snmp.confirm).toEqual({ attempts: 2, delay: 1000 });
    expect(snmp.custom.map((c) => c.measurement)).toEqual(['voice', 'voice']);
    expect(Object.keys(snmp.custom[0]!.fields)).toEqual(['call_attempts', 'calls_answered', 'calls_dropped', 'active_calls']);
  });

  it.each([
    ['every auth protocol', ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'].map((a) => ({ auth_protocol: a, priv_protocol: 'aes' }))],
    ['every priv protocol', ['des', 'aes', 'aes256b', 'aes256r'].map((p) => ({ auth_protocol: 'sha', priv_protocol: p }))],
  ])('v3 accepts %s', (_n, users) => {
    for (const u of users) {
      expect(snmpTarget.safeParse({ version: 3, user: { name: 'u', auth_key: 'k'.repeat(8), priv_key: 'p'.repeat(8), ...u } }).success).toBe(true);
    }
  });

  it.each([
    ['authPriv without a priv key', { version: 3, user: { name: 'u', auth_protocol: 'sha', auth_key: 'kkkkkkkk', priv_protocol: 'aes' } }, 'priv_key'],
    ['a MIB name instead of a numeric OID', { community: 'c', modules: ['custom'], custom: [{ measurement: 'voice', fields: { a: { oid: 'IF-MIB::ifName', type: 'gauge' } } }] }, 'numeric'],
    ['a bad interface regex', { community: 'c', interfaces: { include: '([' } }, 'regular expression'],
    ['custom OIDs without the custom module', { community: 'c', custom: [{ measurement: 'voice', fields: { a: { oid: '1.3.6.1.4.1.9.1.0', type: 'gauge' } } }] }, 'add custom to modules'],
    ['v2c without a community', { version: '2c' }, 'community'],
  ])('rejects %s', (_n, input, message) => {
    const r = snmpTarget.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toContain(message);
  });
});
