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
