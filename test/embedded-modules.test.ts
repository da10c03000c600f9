import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKpid } from './helpers/kpid-process.js';

// The clients of services an embedded kpid does not use (InfluxDB, Redis,
// the BullMQ queue, mail and SMS gateways) cost it RSS for nothing: about
// 10 MiB of its 84 MiB floor (docs/PERFORMANCE.md, "Where the RSS goes").
// They are imported where a configured section needs them.
const UNUSED_WHEN_EMBEDDED = ['bullmq', 'ioredis', 'influx', 'nodemailer', 'smpp', 'msgpackr'];
const RECORDER = resolve(import.meta.dirname, 'helpers/module-recorder.mjs');

/** The npm packages a `kpid run` on this config loaded, once it said it was running. */
async function packagesLoaded(config: string): Promise<Set<string>> {
  const kpid = await startKpid(config, { NODE_OPTIONS: `--import ${RECORDER}`, MODULE_RECORD_FILE: 'modules.txt' });
  try {
    const urls = readFileSync(join(kpid.dir, 'modules.txt'), 'utf8').split('\n');
    return new Set(urls.map((u) => /\/node_modules\/((@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => p !== undefined));
  } finally {
    await kpid.stop();
  }
}

const EMBEDDED = `
server: { listen: "127.0.0.1:0" }
state: { sqlite: kpid.db }
allow_empty_targets: true
`;

describe('kpid run loads only the clients its config uses', () => {
  it('an embedded daemon (SQLite state, no InfluxDB, no Redis, no notify channels) loads none of the service clients', async () => {
    const loaded = await packagesLoaded(EMBEDDED);
    expect(loaded).toContain('better-sqlite3'); // the recorder saw the daemon's own packages
    expect(UNUSED_WHEN_EMBEDDED.filter((p) => loaded.has(p))).toEqual([]);
  });

  it('a configured mail channel loads the mail client', async () => {
    const loaded = await packagesLoaded(`${EMBEDDED}
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: 9, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail] } ]
`);
    expect(loaded).toContain('nodemailer');
    expect(loaded).not.toContain('bullmq');
  });
});
