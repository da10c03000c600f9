import { AckCodes } from '../../src/alerts/ack-code.js';
import type { Notification } from '../../src/core/alert.js';
import { FakeClock } from '../../src/core/clock.js';
import type { AlertBatch } from '../../src/notify/batch.js';
import type { Links } from '../../src/notify/links.js';

/**
 * One example of every kind of message, on a fixed clock with fixed ids, so
 * rendered output is stable: the golden files under test/golden/ are these,
 * rendered. The story: device lostdev at site lab stops answering at
 * 02:49:15 UTC; kpid fires at the third failed poll (02:49:44).
 */
export const MIN = 60_000;
export const DOWN_AT = Date.parse('2026-12-02T02:49:15Z');
export const FIRED_AT = DOWN_AT + 29_000;
const OUTAGE_ID = 'o-5f1e0c2a9b7d';
const FP = '43c6807c7f9aa02e';

/** No public URL: ack lines say how to ack on the kpid host, at its real listen port. */
export const HOST_ONLY: Links = { localUrl: 'http://127.0.0.1:19464' };
/** A fixed key and signing time, so the one-tap ack codes in the golden files never change. */
export const ACK_CODES = new AckCodes({ key: 'golden-files-ack-link-key-0123456789', clock: new FakeClock(FIRED_AT) });
export const PUBLIC: Links = { localUrl: 'http://127.0.0.1:19464', publicUrl: 'https://kpid.noc.example.net', ackCode: (id) => ACK_CODES.sign(id) };
/** A public URL but no signer: the curl command against the public URL, as before one-tap links. */
export const PUBLIC_NO_LINKS: Links = { localUrl: 'http://127.0.0.1:19464', publicUrl: 'https://kpid.noc.example.net' };

const outage = (remaining: number) => ({ id: OUTAGE_ID, service: 'lab/lostdev', startedAt: DOWN_AT, recoveryTarget: 30 * MIN, warnAt: [15 * MIN, 25 * MIN], remaining });

const deviceLabels = { alertname: 'DeviceUnreachable', target: 'lostdev', site: 'lab', severity: 'critical', chapter: '5.1' };

export const deviceDown: Notification = {
  id: `alert:${FP}:${FIRED_AT}:firing`, kind: 'firing', fingerprint: FP, severity: 'critical',
  labels: deviceLabels, annotations: { summary: 'lostdev (lab) has not answered for 3 polls' },
  summary: 'DeviceUnreachable: lostdev (lab) has not answered for 3 polls',
  value: 0, threshold: 0, kpi: 'device_unreachable', startsAt: FIRED_AT, since: DOWN_AT, evidenceSamples: 3, crossedAt: FIRED_AT,
  outage: outage(DOWN_AT + 30 * MIN - FIRED_AT),
};

export const callDropHigh: Notification = {
  id: 'alert:9a1b2c3d4e5f6071:firing', kind: 'firing', fingerprint: '9a1b2c3d4e5f6071', severity: 'critical',
  labels: { alertname: 'CallDropRateHigh', target: 'msc-2', site: 'shanghai-dc2', severity: 'critical', chapter: '3.2' },
  annotations: {}, summary: 'CallDropRateHigh: call drop rate on msc-2 is 1.27% over 15m (target below 0.5%)',
  value: 0.0127, threshold: 0.005, kpi: 'call_drop_rate', startsAt: FIRED_AT - 2 * MIN, since: FIRED_AT - 7 * MIN, crossedAt: FIRED_AT - 2 * MIN,
};

const linkDown = (n: number, iface: string): Notification => ({
  id: `alert:11110000aaaa00${n}:firing`, kind: 'firing', fingerprint: `11110000aaaa00${n}`, severity: 'critical',
  labels: { alertname: 'LinkDown', target: 'agg-1', site: 'lab', interface: iface, severity: 'critical' },
  annotations: {}, summary: `LinkDown: agg-1 ${iface} (uplink ${n}) is operationally down`,
  value: 0, threshold: 1, kpi: 'link_down', startsAt: FIRED_AT - n * 1000, crossedAt: FIRED_AT - n * 1000,
});

const utilisation: Notification = {
  id: 'alert:22220000bbbb0001:firing', kind: 'firing', fingerprint: '22220000bbbb0001', severity: 'warning',
  labels: { alertname: 'InterfaceInUtilisationWarning', target: 'agg-1', site: 'lab', interface: 'xe-0/0/3', severity: 'warning' },
  annotations: {}, summary: 'InterfaceInUtilisationWarning: agg-1 xe-0/0/3 inbound at 83.4% of its speed (over 80% for 5m)',
  value: 0.834, threshold: 0.8, kpi: 'bandwidth_utilisation', startsAt: FIRED_AT - 5 * MIN, since: FIRED_AT - 10 * MIN, crossedAt: FIRED_AT - 5 * MIN,
};

const slaBase = { fingerprint: OUTAGE_ID, labels: { ...deviceLabels, service: 'lab/lostdev' }, startsAt: DOWN_AT, crossedAt: DOWN_AT };

export const slaWarning: Notification = {
  ...slaBase, id: `outage:${OUTAGE_ID}:warn:${15 * MIN}`, kind: 'sla_warning', severity: 'warning',
  labels: { ...slaBase.labels, severity: 'warning' }, annotations: {},
  summary: 'SLA warning: lab/lostdev down for 15m; 15m left to the 30m recovery target', outage: outage(15 * MIN),
};

export const slaBreach: Notification = {
  ...slaBase, id: `outage:${OUTAGE_ID}:breach`, kind: 'sla_breach', severity: 'critical', annotations: {},
  summary: 'SLA breached: lab/lostdev not restored within 30m (down since 2026-12-02T02:49:15.000Z)', outage: outage(0),
};

export const restored: Notification = {
  ...slaBase, id: `outage:${OUTAGE_ID}:restored`, kind: 'sla_restored', severity: 'critical', annotations: {},
  summary: 'lab/lostdev restored after 41m10s; recovery target 30m missed', endsAt: DOWN_AT + 41 * MIN + 10_000,
  outage: outage(-(11 * MIN + 10_000)),
};

export const deviceBack: Notification = {
  ...deviceDown, id: `alert:${FP}:${FIRED_AT}:resolved`, kind: 'resolved', value: 1, endsAt: DOWN_AT + 4 * MIN + 10_000, outage: undefined,
};

const batch = (alerts: Notification[], extra: Partial<AlertBatch> = {}): AlertBatch => ({ receiver: 'noc', groupKey: 'k', groupLabels: {}, alerts, repeat: 0, ...extra });

/** name → (batch, the instant it is rendered at, links). */
/** The utilisation alert flips state too often: one message says so; 40 minutes later, one says it is stable (both ways). */
const FLAP_AT = FIRED_AT + 6 * MIN;
const flapping: Notification = {
  ...utilisation, id: `alert:22220000bbbb0001:${FLAP_AT}:flapping`, kind: 'flapping',
  summary: 'InterfaceInUtilisationWarning: flapping (more than 4 state changes in 30m); no more notifications until it is stable',
  startsAt: FLAP_AT, crossedAt: FLAP_AT,
};
const flapEnded = (endsAt?: number): Notification => ({
  ...utilisation, id: `alert:22220000bbbb0001:${FLAP_AT}:flap_ended`, kind: 'flap_ended',
  summary: `InterfaceInUtilisationWarning: stable again, ${endsAt === undefined ? 'still firing' : 'resolved'}`,
  ...(endsAt === undefined ? {} : { value: 0.412, endsAt }),
  startsAt: FLAP_AT, crossedAt: FLAP_AT + 9 * MIN,
});

export const MESSAGES: Record<string, { batch: AlertBatch; now: number; links: Links }> = {
  'firing-outage': {
    batch: batch([deviceDown], { next: { at: FIRED_AT + 10 * MIN, who: ['duty-manager-sms'], unless: 'acked' } }),
    now: FIRED_AT, links: HOST_ONLY,
  },
  'firing-outage-public-url': {
    batch: batch([deviceDown], { next: { at: FIRED_AT + 10 * MIN, who: ['duty-manager-sms'], unless: 'acked' } }),
    now: FIRED_AT, links: PUBLIC,
  },
  'firing-no-outage': { batch: batch([callDropHigh]), now: FIRED_AT, links: PUBLIC },
  group: {
    batch: batch([linkDown(1, 'xe-0/0/1'), linkDown(2, 'xe-0/0/2'), utilisation, { ...deviceBack, labels: { ...deviceLabels, target: 'agg-1' } }], { groupLabels: { site: 'lab' } }),
    now: FIRED_AT, links: PUBLIC,
  },
  resolved: { batch: batch([deviceBack]), now: DOWN_AT + 4 * MIN + 12_000, links: HOST_ONLY },
  'sla-warning': {
    batch: batch([slaWarning], { next: { at: DOWN_AT + 30 * MIN, who: ['head-of-noc-mail'], unless: 'restored' } }),
    now: DOWN_AT + 15 * MIN, links: PUBLIC,
  },
  'sla-breach': { batch: batch([slaBreach], { note: 'Recovery target missed' }), now: DOWN_AT + 30 * MIN, links: PUBLIC },
  restored: { batch: batch([restored]), now: DOWN_AT + 41 * MIN + 10_000, links: PUBLIC },
  escalation: {
    batch: batch([{ ...deviceDown, kind: 'escalation', outage: outage(20 * MIN - 29_000) }], {
      note: 'Escalated: not acknowledged after 10 min', next: { at: FIRED_AT + 30 * MIN, who: ['head-of-noc-mail'], unless: 'acked' },
    }),
    now: FIRED_AT + 10 * MIN, links: PUBLIC,
  },
  flapping: { batch: batch([flapping]), now: FLAP_AT, links: PUBLIC },
  'flap-ended-firing': { batch: batch([flapEnded()]), now: FLAP_AT + 40 * MIN, links: PUBLIC },
  'flap-ended-resolved': { batch: batch([flapEnded(FLAP_AT + 40 * MIN)]), now: FLAP_AT + 40 * MIN, links: PUBLIC },
};

/** A site named in Chinese: the SMS must go as UCS-2 and fit 70 characters. */
export const chineseSite: Notification = {
  ...deviceDown, labels: { ...deviceLabels, site: '北京', target: 'core-1' },
  summary: 'DeviceUnreachable: core-1 (北京) has not answered for 3 polls',
};

/** A long site, target and rule name: the alert line must make room for the one-tap link. */
export const longNames: Notification = {
  ...deviceDown, labels: { ...deviceLabels, alertname: 'CoreRouterManagementPlaneUnreachable', site: 'frankfurt-interxion-fra6', target: 'core-router-01.backbone.example.net' },
};

export const SMS_MESSAGES: Record<string, { batch: AlertBatch; now: number; links: Links }> = {
  'sms-gsm7': { batch: batch([deviceDown]), now: FIRED_AT, links: HOST_ONLY },
  'sms-gsm7-public-url': { batch: batch([deviceDown]), now: FIRED_AT, links: PUBLIC },
  'sms-gsm7-public-url-no-links': { batch: batch([deviceDown]), now: FIRED_AT, links: PUBLIC_NO_LINKS },
  'sms-long-names-link': { batch: batch([longNames]), now: FIRED_AT, links: PUBLIC },
  'sms-ucs2': { batch: batch([chineseSite]), now: FIRED_AT, links: HOST_ONLY },
  'sms-resolved': { batch: batch([deviceBack]), now: DOWN_AT + 4 * MIN + 12_000, links: HOST_ONLY },
  'sms-sla-warning': { batch: batch([slaWarning]), now: DOWN_AT + 15 * MIN, links: HOST_ONLY },
  'sms-group': { batch: batch([linkDown(1, 'xe-0/0/1'), linkDown(2, 'xe-0/0/2'), utilisation]), now: FIRED_AT, links: HOST_ONLY },
};

/** 240 alerts across 12 sites within a minute: the storm summary. */
export function stormBatches(): AlertBatch[] {
  return Array.from({ length: 240 }, (_, i) => batch([{
    ...linkDown(i % 10, `ge-0/0/${i}`), id: `storm:${i}`, fingerprint: `5708${String(i).padStart(12, '0')}`,
    labels: { alertname: i % 3 ? 'LinkDown' : 'DeviceUnreachable', target: `acc-${i}`, site: `site-${String(i % 12).padStart(2, '0')}`, severity: i % 4 ? 'critical' : 'warning' },
    severity: i % 4 ? 'critical' : 'warning',
  }]));
}
