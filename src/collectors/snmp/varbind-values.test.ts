import { describe, expect, it } from 'vitest';
import { asCounter, decodeCounter64, readCounter, SnmpType, ValueError, type RawVarbind } from './varbind-values.js';

describe('decodeCounter64: variable-length Buffers, exact with BigInt', () => {
  it.each([
    ['1 byte', '05', 5n],
    ['4 bytes', 'ffffffff', 2n ** 32n - 1n],
    ['5 bytes (just above 2^32)', '0100000000', 2n ** 32n],
    ['8 bytes', '7fffffffffffffff', 2n ** 63n - 1n],
    ['9 bytes: leading 0x00 so the top bit does not read as a sign', '00ffffffffffffffff', 2n ** 64n - 1n],
    ['9 bytes, 2^63', '008000000000000000', 2n ** 63n],
    ['6 bytes, the largest read as a double', 'ffffffffffff', 2n ** 48n - 1n],
    ['7 bytes, the first read byte by byte', '01000000000001', 2n ** 48n + 1n],
    ['6 bytes with a leading zero', '00ff00ff00ff', 0xff00ff00ffn],
  ])('%s', (_n, hex, expected) => {
    expect(decodeCounter64(Buffer.from(hex, 'hex'))).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['10 bytes', '00000000000000000001'],
    ['9 bytes above 2^64-1', '010000000000000000'],
  ])('%s is malformed', (_n, hex) => {
    expect(() => decodeCounter64(Buffer.from(hex, 'hex'), '1.2.3')).toThrow(ValueError);
  });
});

describe('asCounter', () => {
  it('a string where a counter is expected is wrong_type, naming the OID', () => {
    try {
      asCounter({ oid: '1.3.6.1.2.1.31.1.1.1.1.1', type: SnmpType.OctetString, value: Buffer.from('eth0') });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ reason: 'wrong_type', oid: '1.3.6.1.2.1.31.1.1.1.1.1' });
    }
  });
  it('noSuchInstance is no_such_object', () => {
    expect(() => asCounter({ oid: '1.2', type: SnmpType.NoSuchInstance, value: null })).toThrow(/noSuchInstance/);
  });
});

describe('readCounter: a counter into two 32-bit words, no BigInt', () => {
  it.each([
    ['Counter64, 9 bytes', { oid: '1.2', type: SnmpType.Counter64, value: Buffer.from('00fedcba9876543210', 'hex') }, [0xfedcba98, 0x76543210, 64]],
    ['Counter64 given as a number by the agent\'s library', { oid: '1.2', type: SnmpType.Counter64, value: 2 ** 53 - 1 }, [2 ** 21 - 1, 0xffffffff, 64]],
    ['Counter32', { oid: '1.2', type: SnmpType.Counter32, value: 0xfffffffe }, [0, 0xfffffffe, 32]],
  ] as [string, RawVarbind, number[]][])('%s', (_n, vb, [hi, lo, bits]) => {
    const words = new Uint32Array([7, 7, 7, 7]);
    expect(readCounter(vb, words, 2)).toBe(bits);
    expect([...words]).toEqual([7, 7, hi, lo]);
  });

  it('a Counter32 that is not a whole number is malformed', () => {
    expect(() => readCounter({ oid: '1.2', type: SnmpType.Counter32, value: 1.5 }, new Uint32Array(2), 0)).toThrow(/Counter32 out of range/);
  });
});
