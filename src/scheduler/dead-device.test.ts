import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { snmpTarget } from '../collectors/snmp/snmp-config.js';
import type { AlertTransition } from '../core/alert.js';
import { FakeClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { Target } from '../core/target.js';
import { RecordedSession, type RecordedWalk } from '../collectors/snmp/recorded-session.js';
import { SnmpCollector } from '../collectors/snmp/snmp-collector.js';
import { SnmpRequestError, type SnmpSession } from '../collectors/snmp/snmp-session.js';
import { defineMetrics } from '../metrics/definitions.js';
import { createEngineState, evaluate } from '../rules/engine.js';
import { loadRuleFiles } from '../rules/rule-files.js';
import { Scheduler } from './scheduler.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const walk = JSON.parse(readFileSync(new URL('../collectors/snmp/testdata/snmpd-edge-t0.json', import.meta.url), 'utf8')) as RecordedWalk;

/**
 * A recorded snmpd walk that dies on demand: after `kill()`, every request
 * waits the session's timeout on the fake clock and gets no answer, as
 * net-snmp does against a dead agent.
 */
class DyingDevice implements SnmpSession {
  readonly version = '2c' as const;
  private readonly replay = new RecordedSession(walk);
  private dead = false;
  constructor(private readonly clock: FakeClock, private readonly timeout: number) {}
  kill(): void {
    this.dead = true;
  }
  get(oids: readonly string[]) {
    return this.dead ? this.silence(oids[0]!) : this.replay.get(oids);
  }
  next(oid: string, max: number) {
    return this.dead ? this.silence(oid) : this.replay.next(oid, max);
  }
  close(): void {}
  private silence(oid: string): Promise<never> {
    return new Promise((_, reject) => {
      this.clock.setTimeout(() => reject(new SnmpRequestError('timeout', `Request timed out (OID ${oid})`, oid)), this.timeout);
    });
  }
}

describe('a device that dies, polled every 5 s with a 1 s timeout and no retries', () => {
  it('one poll and its two re-polls are three misses: DeviceUnreachable fires from that poll, down since its first attempt, and no poll is skipped', async () => {
    const clock = new FakeClock();
    const spec = snmpTarget.parse({ community: 'public', timeout: '1s', retries: 0, modules: ['system', 'interfaces'] });
    const target: Target = { name: 'edge-1', site: 'lab', address: '127.0.0.1', labels: {}, interval: 5_000, timeout: 1_000, probes: [], snmp: spec };
    const device = new DyingDevice(clock, spec.timeout);
    const registry = new Registry();
    const metrics = defineMetrics(registry);
    const engine = createEngineState(loadRuleFiles(['alert-rules/*.yaml'], { baseDir: root }).rules);
    const fired: AlertTransition[] = [];
    const targetSamples: Sample[] = [];
    const scheduler = new Scheduler({
      clock, concurrency: 4, metrics, log: silentLogger(),
      collectors: new Map([['snmp', new SnmpCollector({ log: silentLogger(), clock, openSession: () => device })]]),
      publish: (samples) => {
        targetSamples.push(...samples.filter((s) => s.measurement === 'target'));
        fired.push(...evaluate(engine, samples, clock.now()).transitions.filter((t) => t.to === 'firing'));
      },
    });
    scheduler.update([target]);
    await clock.advanceAsync(12_000, 25);
    expect(targetSamples.length).toBeGreaterThanOrEqual(2);
    expect(targetSamples.every((s) => s.fields.up === 1)).toBe(true);

    const killedAt = clock.now();
    device.kill();
    await clock.advanceAsync(25_000, 25);
    await scheduler.stop();

    const misses = targetSamples.filter((s) => s.fields.up === 0).map((s) => s.time - killedAt);
    // The first four polls after the kill: three attempts each, 1 s + 625 ms apart (confirmation-plan.ts), each poll 5 s after the last.
    expect(misses.length).toBeGreaterThanOrEqual(12);
    const first = misses[0]!;
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(5_000);
    expect(misses.slice(0, 12)).toEqual([0, 1, 2, 3].flatMap((poll) => [0, 1_625, 3_250].map((dt) => first + poll * 5_000 + dt)));
    const skipped = (await registry.getSingleMetric('kpid_scheduler_skipped_polls_total')!.get()).values;
    expect(skipped.reduce((n, v) => n + v.value, 0)).toBe(0);

    const unreachable = fired.filter((t) => t.rule === 'DeviceUnreachable');
    expect(unreachable).toHaveLength(1);
    // Fired when the first poll after the kill ended (its last re-poll timed out), not polls later.
    expect(unreachable[0]!.at - killedAt).toBe(first + 3_250 + 1_000);
    // The outage starts at the first attempt that got no answer.
    expect(unreachable[0]!.evidenceSince! - killedAt).toBe(first);
  });
});
