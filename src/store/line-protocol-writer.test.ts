import { describe, expect, it } from 'vitest';
import type { Sample } from '../core/sample.js';
import { FieldTypes, toLine } from './line-protocol-writer.js';

const T = Date.UTC(2026, 0, 1);

describe('toLine', () => {
  it.each<{ name: string; sample: Sample; line: string }>([
    {
      name: 'integer fields carry the i suffix, float fields do not, even when whole',
      sample: { measurement: 'probe', tags: { target: 'r1', probe: 'icmp' }, fields: { sent: 10, rtt_seconds: 2, received: 9 }, integerFields: ['sent', 'received'], time: T },
      line: `probe,probe=icmp,target=r1 sent=10i,rtt_seconds=2,received=9i ${T}`,
    },
    {
      name: 'tags are sorted and escaped; empty tags are left out',
      sample: { measurement: 'interface', tags: { target: 'core 1', site: '', interface: 'Gi0/1,a=b' }, fields: { in_bps: 1.5 }, time: T },
      line: `interface,interface=Gi0/1\\,a\\=b,target=core\\ 1 in_bps=1.5 ${T}`,
    },
    {
      name: 'non-finite fields are left out',
      sample: { measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: NaN, loss_ratio: 1 }, time: T },
      line: `probe,target=a loss_ratio=1 ${T}`,
    },
    {
      name: 'a line break in a tag value cannot split the point',
      sample: { measurement: 'kpi', tags: { scope: 'a\nb' }, fields: { value: 0.1 }, time: T + 0.4 },
      line: `kpi,scope=a\\ b value=0.1 ${T}`,
    },
  ])('$name', ({ sample, line }) => {
    expect(toLine(sample, new FieldTypes())).toBe(line);
  });

  it('a point with no finite field is not a point', () => {
    expect(toLine({ measurement: 'probe', tags: {}, fields: { a: Infinity }, time: T }, new FieldTypes())).toBeUndefined();
  });

  it('a field keeps the type it was first written with, whatever later samples say', () => {
    const types = new FieldTypes();
    toLine({ measurement: 'voice', tags: {}, fields: { calls: 3 }, integerFields: ['calls'], time: T }, types);
    expect(toLine({ measurement: 'voice', tags: {}, fields: { calls: 4.6 }, time: T }, types)).toBe(`voice calls=5i ${T}`);
    types.learn('probe', 'sent', 'float');
    expect(toLine({ measurement: 'probe', tags: {}, fields: { sent: 10 }, integerFields: ['sent'], time: T }, types)).toBe(`probe sent=10 ${T}`);
  });
});
