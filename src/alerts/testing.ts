// Test support for the alerts stage: a rule runner and an AlertKeeper wired as the daemon wires them, over a real SQLite file and a fake clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notification } from '../core/alert.js';
import { FakeClock } from '../core/clock.js';
import { AlertKeeper, type AlertKeeperOptions } from './alert-keeper.js';
import { SqliteStateStore } from './state/sqlite-state-store.js';
import type { CompiledRule } from '../rules/rule.js';
import { RuleRunner } from '../rules/rule-runner.js';

/** Collects what the runtime hands to notify. */
export class RecordingNotifier {
  readonly sent: Notification[] = [];
  deliver(n: Notification): void {
    this.sent.push(n);
  }
  kinds(): string[] {
    return this.sent.map((n) => n.kind);
  }
}

export function tempDir(prefix = 'kpid-rules-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The rules stage and the alert runtime wired as the daemon wires them:
 * samples go to `rules`, its transitions to `runtime`, availability back to `rules`.
 */
export function wireRuntime(rules: readonly CompiledRule[], o: Omit<AlertKeeperOptions, 'rules' | 'publish'>) {
  const runner: RuleRunner = new RuleRunner({ clock: o.clock, rules, onTransitions: (ts) => runtime.onTransitions(ts) });
  const runtime: AlertKeeper = new AlertKeeper({ ...o, rules: runner, publish: (s) => runner.write(s) });
  return {
    rules: runner,
    runtime,
    async start() {
      await runtime.start();
      runner.start();
    },
    async stop() {
      runner.stop();
      await runtime.stop();
    },
  };
}

/** An AlertKeeper over a real SQLite file, driven by a FakeClock. */
export async function startRuntime(rules: readonly CompiledRule[], file: string, now: number) {
  const clock = new FakeClock(now);
  const store = new SqliteStateStore(file);
  const notifier = new RecordingNotifier();
  const wired = wireRuntime(rules, { clock, store, notifier });
  const runtime = wired.runtime;
  await wired.start();
  await runtime.flush();
  /** Moves the clock, letting store writes and deliveries settle between timers. */
  const advance = async (ms: number) => {
    await clock.advanceAsync(ms, 1_000);
    await runtime.flush();
  };
  return { clock, store, notifier, runtime, rules: wired.rules, stop: wired.stop, advance };
}

/**
 * The alert tests' one outage rule: a failing SIP probe is the voice service down,
 * with a 30-minute recovery target. `service` and `warnAt` vary by test.
 */
export function voiceServiceDownRule(service: string, warnAt = '[15m, 25m]', extra = ''): string {
  return `
- alert: VoiceServiceDown
  select: { measurement: probe, tags: { probe: sip } }
  value: { field: success }
  when: "= 0"
  severity: critical${extra}
  outage: { service: "${service}", recovery_target: 30m, warn_at: ${warnAt} }
`;
}
