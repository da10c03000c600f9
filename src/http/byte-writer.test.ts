import { describe, expect, it } from 'vitest';
import { ByteWriter } from './byte-writer.js';

describe('bytes written piece by piece', () => {
  it('hold a number as JavaScript writes it, whatever its size, sign or fraction', () => {
    const numbers = [0, -0, 1, 9, 10, 99, 100, -7, 123_456_789, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, -1e21, 0.1, 1 / 3, 1e-7, -2.5e-300, 8e9, 1e12 * 6];
    const w = new ByteWriter(4);
    for (const n of numbers) {
      w.number(n);
      w.ascii(' ');
    }
    expect(w.bytes().toString('utf8')).toBe(numbers.map((n) => `${n} `).join(''));
  });

  it('hold text as UTF-8, ASCII or not, wherever the first other character is', () => {
    const texts = ['target="edge-1",interface="Gi0/1"', 'über', 'ge-0/0/2 "uplink" über', 'café ☕ 😀', '', '\n'];
    const w = new ByteWriter(2);
    for (const t of texts) w.ascii(t);
    expect(w.bytes()).toEqual(Buffer.from(texts.join(''), 'utf8'));
  });
});
