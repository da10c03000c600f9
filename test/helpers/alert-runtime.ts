import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notification } from '../../src/core/alert.js';
import { FakeClock } from '../../src/core/clock.js';
import { AlertRuntime } from '../../src/alerts/alert-runtime.js';
import { SqliteStateStore } from '../../src/alerts/sqlite-state-store.js';
import type { CompiledRule } from '../../src/rules/rule.js';

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

/** An AlertRuntime over a real SQLite file, driven by a FakeClock. */
export async function startRuntime(rules: readonly CompiledRule[], file: string, now: number) {
  const clock = new FakeClock(now);
  const store = new SqliteStateStore(file);
  const notifier = new RecordingNotifier();
  const runtime = new AlertRuntime({ clock, rules, store, notifier });
  await runtime.start();
  await runtime.flush();
  /** Moves the clock, letting store writes and deliveries settle between timers. */
  const advance = async (ms: number) => {
    await clock.advanceAsync(ms, 1_000);
    await runtime.flush();
  };
  return { clock, store, notifier, runtime, advance };
}
