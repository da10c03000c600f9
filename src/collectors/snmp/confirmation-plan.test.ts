import { describe, expect, it } from 'vitest';
import { confirmationPlan } from './confirmation-plan.js';

describe('confirmation plan: a poll and its re-polls fit inside the interval', () => {
  const cases: Array<[string, number, number, number, number, number, number, { attempts: number; delay: number; budget: number; clamped: boolean }]> = [
    // [case, interval, target timeout, snmp timeout, retries, confirm attempts, confirm delay, plan]
    ['30 s polls keep the configured 2 re-polls 1 s apart', 30_000, 5_000, 1_000, 1, 2, 1_000,
      { attempts: 2, delay: 1_000, budget: 8_500, clamped: false }],
    // 3 × 1 s attempts leave 4.25 − 3 = 1.25 s for 2 pauses; the poll is cut at 5 − 0.5 s.
    ['5 s polls, 1 s timeout: the 2 re-polls move closer, 625 ms apart', 5_000, 1_000, 1_000, 0, 2, 1_000,
      { attempts: 2, delay: 625, budget: 4_500, clamped: true }],
    ['5 s polls, 2 s timeout: only 1 re-poll fits, right after the first', 5_000, 2_000, 2_000, 0, 2, 1_000,
      { attempts: 1, delay: 250, budget: 4_500, clamped: true }],
    ['no confirmation configured: the target timeout is the budget', 10_000, 5_000, 1_000, 0, 0, 0,
      { attempts: 0, delay: 0, budget: 5_000, clamped: false }],
  ];
  it.each(cases)('%s', (_name, interval, targetTimeout, timeout, retries, attempts, delay, want) => {
    const plan = confirmationPlan(interval, targetTimeout, { timeout, retries, confirm: { attempts, delay } });
    expect({ attempts: plan.attempts, delay: plan.delay, budget: plan.budget, clamped: plan.clamped !== undefined }).toEqual(want);
    // The worst case (every attempt times out) ends before the budget, and the budget before the next turn.
    expect((plan.attempts + 1) * (retries + 1) * timeout + plan.attempts * plan.delay).toBeLessThanOrEqual(plan.budget);
    expect(plan.budget).toBeLessThan(interval);
  });

  it('a single attempt longer than the interval: no re-polls, and the poll is cut before the next turn', () => {
    const plan = confirmationPlan(5_000, 5_000, { timeout: 3_000, retries: 1, confirm: { attempts: 2, delay: 1_000 } });
    expect(plan).toMatchObject({ attempts: 0, delay: 0, budget: 4_500 });
    expect(plan.clamped).toContain('one SNMP attempt (2 × 3000 ms per attempt) does not fit in the 5000 ms interval');
  });

  it('says why it cut the configured re-polls, with the figures to fix the config', () => {
    const plan = confirmationPlan(5_000, 1_000, { timeout: 1_000, retries: 0, confirm: { attempts: 2, delay: 1_000 } });
    expect(plan.clamped).toBe('2 confirmation re-poll(s) 1000 ms apart (1 × 1000 ms per attempt) do not fit in the 5000 ms interval: '
      + '2 re-poll(s) 625 ms apart instead, so the poll ends before its next turn');
  });
});
