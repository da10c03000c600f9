// A kpid stand-in for the kill -9 test: runs the compiled rule runner and AlertKeeper on a
// real SQLite file with a fake clock, opens an outage, lets the 15-minute
// warning go out, then SIGKILLs itself with the store still open.
// argv: DIST_DIR DB_FILE RULE_FILE T0
import { pathToFileURL } from 'node:url';

const [dist, dbFile, ruleFile, t0Text] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(`${dist}/${p}`).href);
const { FakeClock } = await load('core/clock.js');
const { AlertKeeper } = await load('alerts/alert-keeper.js');
const { RuleRunner } = await load('rules/rule-runner.js');
const { SqliteStateStore } = await load('alerts/state/sqlite-state-store.js');
const { loadRuleFiles } = await load('rules/rule-files.js');

const t0 = Number(t0Text);
const clock = new FakeClock(t0);
const { rules } = loadRuleFiles([ruleFile]);
const notifier = { deliver: (n) => process.stdout.write(`${JSON.stringify({ kind: n.kind, id: n.id })}\n`) };
const runner = new RuleRunner({ clock, rules, onTransitions: (ts) => runtime.onTransitions(ts) });
const runtime = new AlertKeeper({ clock, rules: runner, publish: (s) => runner.write(s), store: new SqliteStateStore(dbFile), notifier });
await runtime.start();
runner.start();
runner.write([{ measurement: 'probe', tags: { target: 'sbc1', site: 'dc1', probe: 'sip' }, fields: { success: 0 }, time: t0 }]);
await runtime.flush();
await clock.advanceAsync(16 * 60_000, 60_000);
await runtime.flush();
process.kill(process.pid, 'SIGKILL');
