import { describe, expect, it } from 'vitest';
import { configErrorsOf } from '../config-errors-of.js';
import { parseConfig } from '../load.js';

const errorsOf = configErrorsOf;

const good = `notify:
  channels:
    noc-mail:
      email:
        smtp: { host: 127.0.0.1, port: 2525, auth: { user: kpid, password: "\${SMTP_PASSWORD}" } }
        from: kpid@example.net
        to: [noc@example.net]
    oncall-sms:
      sms:
        smpp: { url: "smpp://127.0.0.1:2775", system_id: kpid, password: "\${SMPP_PASSWORD}" }
        to: ["+8613800000000"]
    ops-hook: { webhook: { url: "http://127.0.0.1:9000/hook" } }
  escalations:
    noc: { steps: [ { after: 10m, channels: [oncall-sms] } ], sla_breach: [noc-mail] }
  routes:
    - { match: { severity: critical }, channels: [oncall-sms, noc-mail], repeat: 30m, escalation: noc }
    - { match: {}, channels: [ops-hook] }
allow_empty_targets: true
`;

describe('notify config', () => {
  it('the SPEC example shape loads, with defaults that favour alert latency', () => {
    const cfg = parseConfig('kpid.yaml', good, { SMTP_PASSWORD: 'mail-secret', SMPP_PASSWORD: 'smpp-pw' });
    const r = cfg.notify!.routes[0]!;
    expect(r).toMatchObject({ group_wait: 1_000, group_interval: 60_000, repeat: 1_800_000, continue: false, group_by: ['...'] });
    expect(cfg.notify!.channels['oncall-sms']!.sms!.smpp!).toMatchObject({ bind: 'transmitter', enquire_link: 30_000, password: 'smpp-pw' });
  });

  it.each([
    ['an invalid email address', good.replace('to: [noc@example.net]', 'to: [noc.example.net]'), 'kpid.yaml:7:14: notify.channels.noc-mail.email.to.0: not a valid email address'],
    ['a phone number without country code', good.replace('"+8613800000000"', '"13800000000"'), 'kpid.yaml:11:14: notify.channels.oncall-sms.sms.to.0: not an international phone number like +8613800000000'],
    ['a route naming an unknown channel', good.replace('channels: [ops-hook]', 'channels: [ops-hok]'), 'notify.routes.1.channels.0: no channel named "ops-hok" in notify.channels'],
    ['an unknown escalation', good.replace('escalation: noc', 'escalation: nco'), 'notify.routes.0.escalation: no escalation named "nco" in notify.escalations'],
    ['a channel with two kinds', good.replace('ops-hook: { webhook:', 'ops-hook: { email: { smtp: { host: x }, from: a@b.c, to: [a@b.c] }, webhook:'), 'notify.channels.ops-hook: a channel takes exactly one of email:, sms: or webhook:'],
  ])('%s is a located config error', (_name, text, expected) => {
    const errors = errorsOf(text, { SMTP_PASSWORD: 'x', SMPP_PASSWORD: 'y' });
    expect(errors.some((e) => e.includes(expected))).toBe(true);
  });

  it('a secret from the environment never appears in a notify config error', () => {
    const errors = errorsOf(good.replace('to: [noc@example.net]', 'to: [bad]'), { SMTP_PASSWORD: 'SuperSecret123', SMPP_PASSWORD: 'toolongpassword' });
    expect(errors.join('\n')).not.toMatch(/SuperSecret123|toolongpassword/);
    expect(errors.join('\n')).toMatch(/SMPP 3.4 passwords are at most 8 characters/);
  });
});
