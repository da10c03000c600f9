import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { seriesKey } from '../../core/sample.js';
import { KnownSeries, parseLine } from './line-protocol-parser.js';
import { ingest } from './ingest-config.js';
import { ingestLimits } from './ingest-options.js';
import { PushIngest } from './push-ingest.js';

const NOW = Date.UTC(2026, 10, 1);

describe('InfluxDB line protocol', () => {
  it.each([
    {
      line: 'kpi,kpi=network_coverage,scope=beijing value=0.992 1793491200000000000',
      sample: { measurement: 'kpi', tags: { kpi: 'network_coverage', scope: 'beijing' }, fields: { value: 0.992 }, time: 1793491200000 },
    },
    {
      line: 'voice,target=msc\\ 1,trunk=a\\,b call_attempts=1200i,calls_dropped=3u,busy=t',
      sample: {
        measurement: 'voice', tags: { target: 'msc 1', trunk: 'a,b' },
        fields: { call_attempts: 1200, calls_dropped: 3, busy: 1 }, time: NOW,
        integerFields: ['call_attempts', 'calls_dropped', 'busy'],
      },
    },
    {
      line: 'my\\,meas,k\\=ey=v\\=al f\\ 1=-1.5e3',
      sample: { measurement: 'my,meas', tags: { 'k=ey': 'v=al' }, fields: { 'f 1': -1500 }, time: NOW },
    },
  ])('$line', ({ line, sample }) => {
    expect(parseLine(line, 'ns', NOW)).toEqual({ ok: true, sample });
  });

  it.each([
    ['s', '1793491200', 1793491200000],
    ['ms', '1793491200123', 1793491200123],
    ['us', '1793491200123456', 1793491200123.456],
    ['ns', '1793491200123456789', 1793491200123],
  ] as const)('timestamps at precision %s', (precision, stamp, ms) => {
    const r = parseLine(`kpi,kpi=x value=1 ${stamp}`, precision, NOW);
    expect(r.ok && r.sample.time).toBeCloseTo(ms, 3);
  });

  it.each([
    ['ns', '1793491200999999999', 1793491200999],
    ['ns', '-1793491200999999999', -1793491200999],
    ['ns', '999999', 0],
    ['ns', '-0', 0],
    ['ns', '179349120012345678901', 179349120012345],
    ['ns', '17934912001234567890123', 17934912001234567],
    ['ms', '-1793491200123', -1793491200123],
    ['ms', '1793491200123456', 1793491200123456],
    ['ms', '17934912001234567', 17934912001234568],
    ['ms', '17934912001234567891', 17934912001234567000], // the nearest double, as Number() reads it
    ['ns', '17934912001234567891123456', 17934912001234567000],
    ['s', '1793491200 ', 1793491200000],
    ['ms', '007', 7],
  ] as const)('timestamp %s %s reads exactly as %d ms (ns truncated, as InfluxDB does)', (precision, stamp, ms) => {
    const r = parseLine(`kpi,kpi=x value=1 ${stamp}`, precision, NOW);
    expect(r.ok && r.sample.time).toBe(ms); // toBe is Object.is: -0 is not 0
  });

  it('decimal field values read exactly as Number() reads them (20,000 of 1 to 18 digits, point anywhere, either sign)', () => {
    let seed = 15;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const wrong: string[] = [];
    for (const raw of ['0', '-0', '-0.0', '.5', '-.5', '3.', '-3.', '0.992', '999999999999999', '0.000000000000001']) {
      const r = parseLine(`m v=${raw}`, 'ns', NOW);
      if (!(r.ok && Object.is(r.sample.fields.v, Number(raw)))) wrong.push(raw);
    }
    for (let i = 0; i < 20_000; i++) {
      let raw = Array.from({ length: 1 + random(18) }, () => random(10)).join('');
      const point = random(raw.length + 2);
      if (point <= raw.length) raw = `${raw.slice(0, point)}.${raw.slice(point)}`;
      if (random(2)) raw = `-${raw}`;
      const r = parseLine(`m v=${raw}`, 'ns', NOW);
      if (!(r.ok && Object.is(r.sample.fields.v, Number(raw)))) wrong.push(raw);
    }
    expect(wrong).toEqual([]);
  });

  it('a line with only blanks after its fields is stamped now', () => {
    const r = parseLine('kpi,kpi=x value=1 \t', 'ns', NOW);
    expect(r.ok && r.sample.time).toBe(NOW);
  });

  it.each([
    ['kpi value="high"', 'field "value" is a string; kpid fields are numbers'],
    ['kpi', 'missing fields'],
    ['kpi,kpi value=1', 'tag "kpi" has no value'],
    ['kpi,kpi= value=1', 'tag "kpi" has an empty value'],
    ['kpi value=abc', 'field "value" has an invalid value "abc"'],
    ['kpi value=1,value=2', 'field "value" appears twice'],
    ['kpi value=1 12:00', 'timestamp "12:00" is not an integer'],
    ['kpi value=1 +12', 'timestamp "+12" is not an integer'],
    ['kpi value=1 -', 'timestamp "-" is not an integer'],
    ['kpi value=1 1.5', 'timestamp "1.5" is not an integer'],
    [',kpi=x value=1', 'missing measurement'],
  ])('rejects %s: %s', (line, reason) => {
    expect(parseLine(line, 'ns', NOW)).toEqual({ ok: false, reason });
  });
});

describe('push ingest', () => {
  const limits = { ...ingestLimits(ingest.parse({})), maxSamplesPerRequest: 5, maxSeriesPerMeasurement: 2 };

  it('accepts good lines and names each rejected line with its reason', () => {
    const ingest = new PushIngest(limits, new FakeClock(NOW));
    const r = ingest.parse('# comment\nkpi,kpi=a value=1\nkpi,kpi=b value="x"\n\nkpi,kpi=c value=2\n', 'text/plain', 'ns');
    expect(r.accepted).toBe(2);
    expect(r.rejected).toEqual([{ line: 3, reason: 'field "value" is a string; kpid fields are numbers' }]);
  });

  it('accepts JSON arrays with epoch-ms or ISO times', () => {
    const ingest = new PushIngest(limits, new FakeClock(NOW));
    const r = ingest.parse(JSON.stringify([
      { measurement: 'kpi', tags: { kpi: 'a' }, fields: { value: 0.5 }, time: NOW - 3_600_000 },
      { measurement: 'kpi', tags: { kpi: 'a' }, fields: { value: 0.6 }, time: '2026-10-31T23:00:00Z' },
      { measurement: 'kpi', tags: { kpi: 'a' }, fields: { value: 'x' } },
    ]), 'application/json', null);
    expect(r.samples.map((s) => s.time)).toEqual([NOW - 3_600_000, NOW - 3_600_000]);
    expect(r.rejected).toEqual([{ index: 2, reason: 'field "value" must be a finite number' }]);
  });

  it('refuses a request over the sample limit whole', () => {
    const ingest = new PushIngest(limits, new FakeClock(NOW));
    expect(() => ingest.parse('k v=1\n'.repeat(6), 'text/plain', 'ns')).toThrow(/6 samples; the limit is 5/);
  });

  it('the cardinality guard rejects new series beyond the limit but keeps known ones flowing', () => {
    const ingest = new PushIngest(limits, new FakeClock(NOW));
    const r = ingest.parse('kpi,kpi=a value=1\nkpi,kpi=b value=1\nkpi,kpi=c value=1\nkpi,kpi=a value=2\n', 'text/plain', 'ns');
    expect(r.accepted).toBe(3);
    expect(r.rejected).toEqual([{ line: 3, reason: 'measurement "kpi" already has 2 series from ingest (ingest.max_series_per_measurement)', limit: 'ingest.max_series_per_measurement' }]);
  });

  it('a series is one series whether pushed as JSON or line protocol, its tags in any order', () => {
    const ingest = new PushIngest({ ...limits, maxSeries: 1 }, new FakeClock(NOW));
    const json = ingest.parse(JSON.stringify({ measurement: 'kpi', tags: { scope: 'b', kpi: 'a' }, fields: { value: 1 } }), 'application/json', null);
    const lines = ingest.parse('kpi,kpi=a,scope=b value=2\nkpi,scope=b,kpi=a value=3\nkpi,scope=b,kpi=a value=4\n', 'text/plain', 'ns');
    expect([json.accepted, lines.accepted, lines.rejected]).toEqual([1, 3, []]);
  });

  it('an unknown precision is refused', () => {
    const ingest = new PushIngest(limits, new FakeClock(NOW));
    expect(() => ingest.parse('k v=1', 'text/plain', 'minutes')).toThrow(/precision "minutes" is not one of/);
  });
});

describe('names InfluxDB 1.x cannot store', () => {
  const push = () => new PushIngest(ingestLimits(ingest.parse({})), new FakeClock(NOW));
  it.each([
    ['a tag value ending in a backslash', 'm,v=js\\\\ value=1'],
    ['a backslash before an escaped space', 'm,v=a\\\\\\ b value=1'],
    ['a measurement ending in a backslash', 'm\\\\,v=a value=1'],
  ])('%s is refused with the reason, not accepted and lost at the store', (_, line) => {
    const r = push().parse(`${line} ${NOW * 1e6}`, 'text/plain', 'ns');
    expect(r.accepted).toBe(0);
    expect(r.rejected[0]?.reason).toMatch(/backslash .* InfluxDB 1\.x cannot store/);
  });
  it('a backslash inside a name is kept as it is', () => {
    const r = push().parse(`m,v=C:\\\\dir value=1 ${NOW * 1e6}`, 'text/plain', 'ns');
    expect(r.accepted).toBe(1);
    expect(r.samples[0]!.tags.v).toBe('C:\\dir');
  });
});

describe('known series: a series parsed once is not parsed again', () => {
  const lines = [
    'kpi,kpi=network_coverage,scope=beijing value=0.992 1793491200000000000',
    'voice,target=msc\\ 1,trunk=a\\,b call_attempts=1200i,calls_dropped=3u,busy=t',
    'kpi,kpi=network_coverage,scope=beijing value=0.5,extra=2i',
    'kpi,kpi=network_coverage,scope=shanghai value=0.7',
    'kpi,kpi= value=1',
    'kpi,kpi=x,scope=y value="high"',
    'kpi,kpi=x,scope=y value=3',
  ];

  it('every line reads the same with the series remembered as without, seen first or again', () => {
    const known = new KnownSeries();
    for (let round = 0; round < 2; round++) {
      for (const line of lines) {
        const { seriesKey: _, ...remembered } = parseLine(line, 'ns', NOW, known) as { seriesKey?: string };
        expect(remembered).toEqual(parseLine(line, 'ns', NOW));
      }
    }
  });

  it('hands on the series key of a remembered series, so the cardinality guard need not build it', () => {
    const known = new KnownSeries();
    for (let round = 0; round < 2; round++) {
      const r = parseLine('kpi,scope=b,kpi=network_coverage value=1', 'ns', NOW, known);
      expect(r.ok && r.seriesKey).toBe('kpi,kpi=network_coverage,scope=b');
      expect(r.ok && r.seriesKey).toBe(r.ok && seriesKey(r.sample));
    }
    // Escaped series text is not remembered: its names might hold a backslash, which push ingest must still check.
    const escaped = parseLine('voice,target=msc\\ 1 calls=1', 'ns', NOW, known);
    expect(escaped.ok && escaped.seriesKey).toBeUndefined();
  });

  it('keeps no more series than its bound', () => {
    const known = new KnownSeries(2);
    for (const scope of ['a', 'b', 'c']) parseLine(`kpi,scope=${scope} value=1`, 'ns', NOW, known);
    expect([known.get('kpi,scope=a'), known.get('kpi,scope=c')]).toEqual([undefined, { measurement: 'kpi', tags: { scope: 'c' }, key: 'kpi,scope=c' }]);
  });
});
