import { mailEverythingTo, type ReceivedMail } from './smtp.js';

/** DeviceDown on a shortened SLA scale: recovery target 12 s, warnings at 4 s and 8 s (for 30, 15 and 25 minutes). */
export const SLA_RULE = `groups:
  - name: cluster-sla
    rules:
      - alert: DeviceDown
        select: { measurement: target }
        value: { field: up }
        when: "< 1"
        severity: critical
        outage: { service: "{{ $labels.site }}/{{ $labels.target }}", recovery_target: 12s, warn_at: [4s, 8s] }
`;

/** A cluster member's config: Redis for membership, state and the notification queue; mail to a test SMTP server. */
export function slaClusterConfig(o: { id: string; redis: string; agentPort: number; smtpPort: number; rules: string; targets: readonly string[] }): string {
  const snmp = (n: string) => `snmp: { version: 2c, community: c-${n}, port: ${o.agentPort}, timeout: 400ms, retries: 0, modules: [system] }`;
  return `server: { listen: "127.0.0.1:0" }
state: { redis: "${o.redis}" }
queue: { driver: bullmq, redis: "${o.redis}" }
cluster: { enabled: true, redis: "${o.redis}", lease_ttl: 3s, heartbeat: 1s, instance_id: ${o.id} }
defaults: { interval: 1s, timeout: 900ms }
rules: [ "${o.rules}" ]
${mailEverythingTo(o.smtpPort)}
targets:
${o.targets.map((n) => `  - { name: ${n}, site: lab, address: 127.0.0.1, ${snmp(n)} }`).join('\n')}
`;
}

/** The mail's text with quoted-printable soft breaks and escapes undone. */
export function plain(m: ReceivedMail): string {
  return m.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A mail announcing that alert `rule` fired (not an SLA step, not a resolve). */
export function isFiring(m: ReceivedMail, rule: string): boolean {
  const t = plain(m);
  // The block opens with the severity (src/notify/render.ts): "CRITICAL: dc1/x is down"; escalations and SLA steps say otherwise.
  return /^(CRITICAL|WARNING|INFO): /m.test(t) && new RegExp(`^\\s*Alert:\\s*${rule}\\b`, 'm').test(t);
}
