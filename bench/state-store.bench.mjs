#!/usr/bin/env node
// The state file under a sustained flapping storm (issue 19): 300 interface
// alerts that flip every poll (10 s) for an hour, driven through kpid's own
// rule runner and alert keeper on a fake clock, into a real SQLite state
// file. Run once with flap detection as shipped and once with it off
// (start_above: Infinity) for comparison; prints the file size (db + WAL),
// the claims kept and the notifications handed to notify.
//
//   npm run build && node bench/state-store.bench.mjs [alerts=300] [minutes=60]
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock } from '../dist/core/clock.js';
import { AlertKeeper } from '../dist/alerts/alert-keeper.js';
import { DEFAULT_FLAP_THRESHOLDS } from '../dist/alerts/flap-detector.js';
import { SqliteStateStore } from '../dist/alerts/state/sqlite-state-store.js';
import { RuleRunner } from '../dist/rules/rule-runner.js';
import { parseRuleTexts } from '../dist/rules/rule-files.js';

const ALERTS = Number(process.argv[2] ?? 300);
const MINUTES = Number(process.argv[3] ?? 60);
const POLL = 10_000;

// As the shipped discard rule was before issue 19 item 2: no for:, so every flip of the value is a transition.
const { rules } = parseRuleTexts([{ file: 'storm.yaml', text: `groups:
  - name: storm
    rules:
      - alert: InterfaceInDiscards
        select: { measurement: interface }
        value: { field: in_discards_ratio }
        when: "> 0.01"
        severity: warning
` }], {});

async function storm(flapping) {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-state-bench-'));
  const file = join(dir, 'kpid.db');
  const clock = new FakeClock(Date.UTC(2026, 11, 2));
  const store = new SqliteStateStore(file);
  let delivered = 0;
  const notifier = { deliver: () => { delivered++; } };
  const runner = new RuleRunner({ clock, rules, onTransitions: (ts) => keeper.onTransitions(ts) });
  const keeper = new AlertKeeper({ clock, rules: runner, publish: (s) => runner.write(s), store, notifier, flapping });
  await keeper.start();
  runner.start();
  for (let t = 0; t < (MINUTES * 60_000) / POLL; t++) {
    await clock.advanceAsync(POLL, POLL);
    // An idle port drops the odd frame: 100 % discards one poll, 0 % the next.
    runner.write(Array.from({ length: ALERTS }, (_, i) => ({
      measurement: 'interface', tags: { target: `sw${i % 10}`, ifName: `ge-0/0/${i}` }, fields: { in_discards_ratio: (t + i) % 2 }, time: clock.now(),
    })));
    await keeper.flush();
  }
  runner.stop();
  await keeper.stop();
  await store.close();
  const size = (f) => (existsSync(f) ? statSync(f).size : 0);
  const bytes = size(file) + size(`${file}-wal`);
  const db = new Database(file, { readonly: true });
  const claims = db.prepare('SELECT count(*) AS n FROM notifications_sent').get().n;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { bytes, claims, delivered };
}

const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;
for (const [name, flapping] of [
  ['flap detection as shipped', DEFAULT_FLAP_THRESHOLDS],
  ['flap detection off', { ...DEFAULT_FLAP_THRESHOLDS, startAbove: Infinity }],
]) {
  const r = await storm(flapping);
  console.log(`${name}: ${ALERTS} alerts flipping every ${POLL / 1000} s for ${MINUTES} min: state file ${mib(r.bytes)} (db + WAL), ${r.claims} claims, ${r.delivered} notifications`);
}
