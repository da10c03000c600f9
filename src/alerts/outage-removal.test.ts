import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../core/alert.js';
import { OutageLedger } from './outage-ledger.js';
import { mergeOutage } from './state/redis-state-store.js';

const T0 = Date.UTC(2026, 0, 1);
const policy = { service: 'voice-dc1', recoveryTarget: 30 * 60_000, warnAt: [] };

function t(fingerprint: string, to: 'firing' | 'resolved', at: number, reason?: AlertTransition['reason']): AlertTransition {
  return {
    fingerprint, rule: 'VoiceServiceDown', from: to === 'firing' ? 'pending' : 'firing', to, labels: { target: fingerprint },
    annotations: {}, severity: 'critical', value: 0, activeAt: T0, crossedAt: T0, at, outage: policy,
    ...(to === 'resolved' ? { clearedAt: at } : {}), ...(reason ? { reason } : {}),
  };
}

describe('an outage whose alerts leave because their target or rule was removed (issue 13 §5)', () => {
  it.each([
    ['threshold', undefined],
    ['target_removed', 'removal'],
    ['rule_removed', 'removal'],
  ] as const)('the last alert resolving with reason %s closes it as %s', (reason, endedBy) => {
    const ledger = new OutageLedger();
    ledger.onFiring(t('edge-1', 'firing', T0), false);
    const r = ledger.onResolved(t('edge-1', 'resolved', T0 + 60_000, reason))!;
    expect(r.closed).toBe(endedBy ?? 'restored');
    expect(r.outage.restoredAt).toBe(T0 + 60_000);
    expect(r.outage.endedBy).toBe(endedBy);
  });

  it('stays open while another target\'s alert keeps it open', () => {
    const ledger = new OutageLedger();
    ledger.onFiring(t('edge-1', 'firing', T0), false);
    ledger.onFiring(t('edge-2', 'firing', T0 + 1_000), false);
    const r = ledger.onResolved(t('edge-1', 'resolved', T0 + 60_000, 'target_removed'))!;
    expect(r.closed).toBeUndefined();
    expect(ledger.openOutages()).toMatchObject([{ alerts: ['edge-2'] }]);
  });

  it('a cluster member that had not seen the end keeps "ended by removal" when it writes over it (Redis merge)', () => {
    const ledger = new OutageLedger();
    const open = ledger.onFiring(t('edge-1', 'firing', T0), false)!.outage;
    const ended = ledger.onResolved(t('edge-1', 'resolved', T0 + 60_000, 'target_removed'))!.outage;
    expect(mergeOutage(ended, { ...open, acknowledgedAt: T0 + 5, acknowledgedBy: 'ana' })).toMatchObject({ restoredAt: T0 + 60_000, endedBy: 'removal' });
    expect(mergeOutage(open, ended).endedBy).toBe('removal');
  });
});
