import { describe, expect, it } from 'vitest';
import { DATA_CODING_GSM, DATA_CODING_UCS2, isGsm, splitSms } from './sms-parts.js';

describe('splitSms', () => {
  it.each([
    ['160 GSM characters fit one message', 'a'.repeat(160), DATA_CODING_GSM, [160]],
    ['161 GSM characters make two parts of at most 153', 'a'.repeat(161), DATA_CODING_GSM, [153, 8]],
    ['extension characters cost two septets', '€'.repeat(80), DATA_CODING_GSM, [80]],
    ['81 euro signs need two parts', '€'.repeat(81), DATA_CODING_GSM, [76, 5]],
    ['70 Chinese characters fit one UCS-2 message', '断'.repeat(70), DATA_CODING_UCS2, [70]],
    ['71 Chinese characters make parts of 67', '断'.repeat(71), DATA_CODING_UCS2, [67, 4]],
  ])('%s', (_name, text, coding, lengths) => {
    const s = splitSms(text, 7);
    expect(s.dataCoding).toBe(coding);
    expect(s.parts.map((p) => [...p.text].length)).toEqual(lengths);
    expect(s.parts.map((p) => p.text).join('')).toBe(text);
  });

  it('each part of a long message carries the concatenation header 05 00 03 ref total seq', () => {
    const s = splitSms('x'.repeat(400), 0x2a);
    expect(s.parts.map((p) => [...p.udh!])).toEqual([
      [5, 0, 3, 0x2a, 3, 1],
      [5, 0, 3, 0x2a, 3, 2],
      [5, 0, 3, 0x2a, 3, 3],
    ]);
  });

  it('a surrogate pair is never cut between parts', () => {
    const text = 'a'.repeat(66) + '😀' + 'b'.repeat(10);
    const s = splitSms(text, 1);
    expect(s.parts[0]!.text.endsWith('a')).toBe(true);
    expect(s.parts[1]!.text.startsWith('😀')).toBe(true);
  });

  it('knows the GSM alphabet', () => {
    expect(isGsm('CRIT core-1 ge-0/0/1 down; SLA 12m left @ £5 [x]')).toBe(true);
    expect(isGsm('核心路由器')).toBe(false);
  });
});
