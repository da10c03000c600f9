#!/usr/bin/env node
// Points per second into InfluxDB 1.x: kpid's InfluxStore (Sample → line
// protocol, batches of 5,000, one write in flight, spool on standby) against
// a plain line-protocol writer (the same samples serialised by a minimal
// template and POSTed in batches of 5,000 with fetch), on the same private
// influxd, alternating runs into fresh databases.
//
//   npm run build && node bench/store.bench.mjs [points=200000] [runs=5]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../dist/core/clock.js';
import { silentLogger } from '../dist/core/logger.js';
import { defineStoreMetrics } from '../dist/metrics/store-metrics.js';
import { InfluxStore } from '../dist/store/influx-store.js';

const POINTS = Number(process.argv[2] ?? 200_000);
const RUNS = Number(process.argv[3] ?? 5);
const BATCH = 5_000;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startInfluxd() {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-bench-influxd-'));
  const [port, rpc] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'influxdb.conf'),
    `reporting-disabled = true\nbind-address = "127.0.0.1:${rpc}"\n[meta]\n  dir = "${dir}/meta"\n[data]\n  dir = "${dir}/data"\n  wal-dir = "${dir}/wal"\n  query-log-enabled = false\n[monitor]\n  store-enabled = false\n[http]\n  bind-address = "127.0.0.1:${port}"\n  log-enabled = false\n[logging]\n  level = "error"\n`,
  );
  const proc = spawn('influxd', ['-config', join(dir, 'influxdb.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`)).status === 204) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    query: async (q, db) => (await fetch(`${url}/query?${new URLSearchParams({ q, ...(db ? { db } : {}) })}`, { method: 'POST' })).json(),
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Probe samples of 1,000 targets, the widest measurement kpid writes often. */
function samples(n, base) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = i % 1000;
    out[i] = {
      measurement: 'probe',
      tags: { target: `host-${t}`, site: `site-${t % 20}`, probe: 'icmp' },
      fields: { success: 1, rtt_seconds: 0.01 + (i % 97) / 1e4, jitter_seconds: 0.001, loss_ratio: 0, sent: 10, received: 10 },
      integerFields: ['success', 'sent', 'received'],
      time: base + Math.floor(i / 1000),
    };
  }
  return out;
}

async function count(influxd, db) {
  const r = await influxd.query('SELECT count(rtt_seconds) FROM probe', db);
  return r.results[0].series?.[0].values[0][1] ?? 0;
}

/** The anchor: the least a writer can do. */
async function plainWriter(influxd, db, data) {
  await influxd.query(`CREATE DATABASE ${db}`);
  const started = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    let body = '';
    for (const s of data.slice(i, i + BATCH)) {
      const f = s.fields;
      body += `probe,probe=${s.tags.probe},site=${s.tags.site},target=${s.tags.target} success=${f.success}i,rtt_seconds=${f.rtt_seconds},jitter_seconds=${f.jitter_seconds},loss_ratio=${f.loss_ratio},sent=${f.sent}i,received=${f.received}i ${s.time}\n`;
    }
    const res = await fetch(`${influxd.url}/write?db=${db}&precision=ms`, { method: 'POST', body });
    if (res.status !== 204) throw new Error(`plain write: ${res.status} ${await res.text()}`);
  }
  return performance.now() - started;
}

async function kpidStore(influxd, db, data, maxQueuedBatches = 10) {
  const spoolDir = mkdtempSync(join(tmpdir(), 'kpid-bench-spool-'));
  const registry = new Registry();
  const store = new InfluxStore(
    { url: influxd.url, database: db, spoolDir, batchSize: BATCH, maxQueuedBatches, closeTimeoutMs: 600_000 },
    { clock: systemClock, log: silentLogger(), metrics: defineStoreMetrics(registry) },
  );
  await store.start();
  const started = performance.now();
  // As the pipeline calls it: many small publishes, yielding to the event
  // loop between polls' worth of samples as a daemon does between timers.
  for (let i = 0; i < data.length; i += 500) {
    store.write(data.slice(i, i + 500));
    if (i % 5_000 === 4_500) await new Promise((r) => setImmediate(r));
  }
  await store.close(); // flushes and waits for every batch to be written
  const ms = performance.now() - started;
  const { spooledPoints } = store.status();
  rmSync(spoolDir, { recursive: true, force: true });
  if (spooledPoints > 0) throw new Error(`${spooledPoints} points left in the spool`);
  const points = (await registry.getSingleMetric('kpid_store_points_total').get()).values;
  return { ms, spooled: points.find((v) => v.labels.result === 'spooled')?.value ?? 0 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const influxd = await startInfluxd();
try {
  const data = samples(POINTS, Date.now() - 3_600_000);
  const plain = [];
  const kpid = [];
  const kpidMemory = [];
  // One warm-up of each, not counted.
  await plainWriter(influxd, 'warm_plain', data.slice(0, 20_000));
  await kpidStore(influxd, 'warm_kpid', data.slice(0, 20_000));
  const spilled = [];
  for (let r = 0; r < RUNS; r++) {
    plain.push(await plainWriter(influxd, `plain_${r}`, data));
    const run = await kpidStore(influxd, `kpid_${r}`, data);
    kpid.push(run.ms);
    spilled.push(run.spooled);
    // The same with room for the whole burst in memory: what serialising and batching cost without the disk.
    kpidMemory.push((await kpidStore(influxd, `kpidmem_${r}`, data, 1_000)).ms);
    for (const db of [`plain_${r}`, `kpid_${r}`, `kpidmem_${r}`]) {
      const n = await count(influxd, db);
      if (n !== POINTS) throw new Error(`${db}: ${n} points stored, expected ${POINTS}`);
    }
  }
  const rate = (ms) => Math.round(POINTS / (ms / 1000));
  console.log(`points per run: ${POINTS}, batch ${BATCH}, runs ${RUNS}, influxd 1.6 on loopback`);
  console.log(`plain line-protocol writer  median ${rate(median(plain)).toLocaleString('en')} points/s  (runs: ${plain.map((m) => rate(m)).join(', ')})`);
  console.log(`kpid InfluxStore            median ${rate(median(kpid)).toLocaleString('en')} points/s  (runs: ${kpid.map((m) => rate(m)).join(', ')})`);
  console.log(`kpid InfluxStore, burst in memory median ${rate(median(kpidMemory)).toLocaleString('en')} points/s  (runs: ${kpidMemory.map((m) => rate(m)).join(', ')})`);
  console.log(`points of each default run that overflowed the memory queue (${10 * BATCH}) through the disk spool: ${spilled.join(', ')}`);
  console.log(`ratio kpid / plain: ${(median(plain) / median(kpid)).toFixed(2)} (default), ${(median(plain) / median(kpidMemory)).toFixed(2)} (burst in memory)`);
} finally {
  await influxd.stop();
}
