import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';
import { KpiRollup } from './kpi-rollup.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-rollup-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

const poll = (time: number, ratio: number): Sample[] => [{
  measurement: 'interface', tags: { target: 'edge-1', site: 'lab', interface: 'Gi0/1' }, fields: { in_errors_ratio: ratio }, time,
}];

/** The day's in-errors row of Gi0/1 as the report reads it, or undefined before it is written. */
function row(file: string): { sum: number; count: number; max: number } | undefined {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT sum, count, max FROM polled_daily WHERE series = 'Gi0/1 in errors'`).get() as { sum: number; count: number; max: number } | undefined;
  } finally {
    db.close();
  }
}

describe('KpiRollup written once a minute (the daemon\'s setting)', () => {
  it('folds the polls of a minute into one write, with every poll counted', () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 2, 8));
    const file = stateFile();
    const rollup = new KpiRollup(file, { flushEveryMs: 60_000, clock });
    for (let i = 0; i < 6; i++) {
      rollup.write(poll(clock.now(), i / 100));
      clock.advance(9_000);
    }
    expect(row(file)).toBeUndefined(); // 54 s: nothing written yet
    clock.advance(6_000);
    expect(row(file)).toEqual({ sum: expect.closeTo(0.15, 9), count: 6, max: 0.05 });
    rollup.write(poll(clock.now(), 0.5));
    rollup.close(); // what is pending is written on the way out
    expect(row(file)).toEqual({ sum: expect.closeTo(0.65, 9), count: 7, max: 0.5 });
  });

  it('writes every batch at once by default', () => {
    const file = stateFile();
    const rollup = new KpiRollup(file);
    rollup.write(poll(Date.UTC(2026, 11, 2, 8), 0.25));
    expect(row(file)).toEqual({ sum: 0.25, count: 1, max: 0.25 });
    rollup.close();
  });
});

describe('KpiRollup of pushed kpi readings', () => {
  it('folds one row per UTC day, kpi and scope (no scope: "all"), however the readings interleave', () => {
    const file = stateFile();
    const rollup = new KpiRollup(file);
    const day1 = Date.UTC(2026, 11, 1, 23, 59);
    const day2 = Date.UTC(2026, 11, 2, 0, 1);
    const kpi = (kpi: string, scope: string | undefined, value: number, time: number): Sample =>
      ({ measurement: 'kpi', tags: scope ? { kpi, scope } : { kpi }, fields: { value }, time });
    rollup.write([
      kpi('coverage', 'north', 0.9, day1), kpi('coverage', 'south', 0.5, day1), kpi('coverage', 'north', 0.7, day2),
      kpi('coverage', 'north', 0.8, day1 + 1), kpi('drop_rate', 'north', 0.01, day1), kpi('coverage', undefined, 0.6, day2),
    ]);
    rollup.write([kpi('coverage', 'north', 0.95, day2 + 1), kpi('coverage', 'north', 0.85, day1 - 1)]);
    rollup.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT day, kpi, scope, sum, count, min, max, last FROM kpi_daily ORDER BY day, kpi, scope').all()).toEqual([
        { day: Date.UTC(2026, 11, 1), kpi: 'coverage', scope: 'north', sum: expect.closeTo(2.55, 9), count: 3, min: 0.8, max: 0.9, last: 0.8 },
        { day: Date.UTC(2026, 11, 1), kpi: 'coverage', scope: 'south', sum: 0.5, count: 1, min: 0.5, max: 0.5, last: 0.5 },
        { day: Date.UTC(2026, 11, 1), kpi: 'drop_rate', scope: 'north', sum: 0.01, count: 1, min: 0.01, max: 0.01, last: 0.01 },
        { day: Date.UTC(2026, 11, 2), kpi: 'coverage', scope: 'all', sum: 0.6, count: 1, min: 0.6, max: 0.6, last: 0.6 },
        { day: Date.UTC(2026, 11, 2), kpi: 'coverage', scope: 'north', sum: expect.closeTo(1.65, 9), count: 2, min: 0.7, max: 0.95, last: 0.95 },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('KpiRollup of polled samples, whose cells are kept from one write to the next', () => {
  const at = (day: number, h: number, m: number, s = 0) => Date.UTC(2026, 11, day, h, m, s);
  const iface = (name: string, time: number, utilisation: number): Sample =>
    ({ measurement: 'interface', tags: { target: 'edge-1', interface: name }, fields: { in_utilization: utilisation }, time });

  function rows(file: string) {
    const db = new Database(file, { readonly: true });
    try {
      return {
        daily: db.prepare(`SELECT day, series, sum, count, min, max, last FROM polled_daily ORDER BY day, series`).all(),
        bins: db.prepare(`SELECT day, series, bin, n FROM polled_bins ORDER BY day, series, bin`).all(),
        seen: db.prepare(`SELECT series, at FROM first_seen ORDER BY series`).all(),
      };
    } finally {
      db.close();
    }
  }

  it('across midnight and across writes: each day\'s row counts every sample once, min, max and last of that day only', () => {
    const file = stateFile();
    const clock = new FakeClock(at(1, 23, 59, 30));
    const rollup = new KpiRollup(file, { flushEveryMs: 60_000, clock });
    rollup.write([iface('Gi0/1', at(1, 23, 59, 30), 0.5)]);
    rollup.write([iface('Gi0/1', at(1, 23, 59, 50), 0.7)]);
    clock.advance(60_000); // written: day 1, two samples
    rollup.write([iface('Gi0/1', at(2, 0, 0, 40), 0.2)]);
    rollup.write([iface('Gi0/1', at(1, 23, 59, 55), 0.9)]); // late, and newest of day 1
    rollup.write([iface('Gi0/1', at(2, 0, 1, 0), 0.3)]);
    rollup.close();
    const day1 = at(1, 0, 0);
    const day2 = at(2, 0, 0);
    expect(rows(file)).toEqual({
      daily: [
        { day: day1, series: 'Gi0/1 in', sum: expect.closeTo(2.1, 9), count: 3, min: 0.5, max: 0.9, last: 0.9 },
        { day: day2, series: 'Gi0/1 in', sum: expect.closeTo(0.5, 9), count: 2, min: 0.2, max: 0.3, last: 0.3 },
      ],
      bins: [
        { day: day1, series: 'Gi0/1 in', bin: 50, n: 1 }, { day: day1, series: 'Gi0/1 in', bin: 70, n: 1 }, { day: day1, series: 'Gi0/1 in', bin: 90, n: 1 },
        { day: day2, series: 'Gi0/1 in', bin: 20, n: 1 }, { day: day2, series: 'Gi0/1 in', bin: 30, n: 1 },
      ],
      seen: [{ series: '', at: at(1, 23, 59, 30) }, { series: 'interface=Gi0/1', at: at(1, 23, 59, 30) }],
    });
  });

  it('an interface silent for a whole write period and back is counted from where it left off; one first seen later gets its own record', () => {
    const file = stateFile();
    const t0 = at(2, 8, 0);
    const rollup = new KpiRollup(file);
    rollup.write([iface('Gi0/1', t0, 0.4)]);
    rollup.write([iface('Gi0/2', t0 + 10_000, 0.1)]);
    rollup.write([iface('Gi0/2', t0 + 20_000, 0.1)]);
    rollup.write([iface('Gi0/1', t0 + 30_000, 0.6), iface('Gi0/2', t0 + 30_000, 0.1)]);
    rollup.close();
    const day = at(2, 0, 0);
    expect(rows(file)).toEqual({
      daily: [
        { day, series: 'Gi0/1 in', sum: 1, count: 2, min: 0.4, max: 0.6, last: 0.6 },
        { day, series: 'Gi0/2 in', sum: expect.closeTo(0.3, 9), count: 3, min: 0.1, max: 0.1, last: 0.1 },
      ],
      bins: [{ day, series: 'Gi0/1 in', bin: 40, n: 1 }, { day, series: 'Gi0/1 in', bin: 60, n: 1 }, { day, series: 'Gi0/2 in', bin: 10, n: 3 }],
      seen: [{ series: '', at: t0 }, { series: 'interface=Gi0/1', at: t0 }, { series: 'interface=Gi0/2', at: t0 + 10_000 }],
    });
  });
});
