#!/usr/bin/env node
// Generates the Grafana dashboards in grafana/dashboards/ from one place, so
// that units, KPI targets and datasource uids cannot drift between panels.
//
//   node grafana/generate.mjs           writes the JSON files
//   node grafana/generate.mjs --check   exits 1 if a committed file differs
//
// Thresholds are the defaults of ../shared/docs/KPI-CATALOGUE.md; if an
// operator overrides a target in config, change TARGETS here and regenerate.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');

export const INFLUX = { type: 'influxdb', uid: 'kpid-influxdb' };
export const PROM = { type: 'prometheus', uid: 'kpid-prometheus' };

/** KPI targets and warning/critical levels (KPI-CATALOGUE.md). */
const TARGETS = {
  call_drop_rate: 0.005,
  call_answer_rate: 0.95,
  availability: 0.999,
  recovery_seconds: 30 * 60,
  utilisation: { warn: 0.8, crit: 0.9 },
  latency: { warn: 0.05, crit: 0.15 },
  loss: { warn: 0.01, crit: 0.05 },
  jitter: { warn: 0.01, crit: 0.03 },
  errors: { warn: 0.001, crit: 0.01 },
  avg_data_rate: 100e6,
};

/** Catalogue KPIs as shown in the compliance grid: id → "name (target)". */
const KPI_LABELS = {
  network_coverage: 'Network coverage (≥ 99 %)',
  call_drop_rate: 'Call drop rate (< 0.5 %)',
  avg_data_rate: 'Average data rate (≥ 100 Mbit/s)',
  customer_satisfaction: 'Customer satisfaction (≥ 90 %)',
  complaint_timeliness: 'Complaints handled in time (≥ 95 %)',
  call_answer_rate: 'Call answer rate (≥ 95 %)',
  interruption_minutes: 'Interruption per incident (≤ 30 min)',
  recovery_minutes: 'Recovery time (≤ 30 min)',
  availability: 'System availability (≥ 99.9 %)',
  security_incident_rate: 'Security incidents (below industry average)',
  customer_data_leaks: 'Customer data leaks (= 0)',
  vuln_fix_rate: 'Vulnerabilities fixed (= 100 %)',
  bandwidth_utilisation: 'Bandwidth utilisation (≤ 80 %)',
  latency: 'Latency (≤ 50 ms)',
  packet_loss: 'Packet loss (≤ 1 %)',
  jitter: 'Jitter (≤ 10 ms)',
  interface_errors: 'Interface errors (≤ 0.1 %)',
};

// ---------------------------------------------------------------- builders

/** Thresholds that turn orange at `warn` and red at `crit` (higher is worse). */
function rising(warn, crit) {
  return {
    mode: 'absolute',
    steps: [
      { color: 'green', value: null },
      { color: 'orange', value: warn },
      { color: 'red', value: crit },
    ],
  };
}

/** Thresholds where below `target` is red (higher is better). */
function atLeast(target) {
  return { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: target }] };
}

/** Above `target` is red (lower is better), drawn as a line on graphs. */
function atMost(target) {
  return { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: target }] };
}

function influx(query, refId = 'A', format = 'time_series') {
  return { refId, datasource: INFLUX, query, rawQuery: true, resultFormat: format };
}

function prom(expr, legendFormat = '', refId = 'A', opts = {}) {
  return { refId, datasource: PROM, expr, legendFormat, range: !opts.instant, instant: !!opts.instant, ...(opts.format ? { format: opts.format } : {}) };
}

function datasourceOf(targets) {
  return targets[0].datasource;
}

function timeseries(title, targets, { unit, thresholds, min, max, gridPos, description, drawThresholds = true, stack = false }) {
  return {
    type: 'timeseries',
    title,
    description,
    datasource: datasourceOf(targets),
    gridPos,
    targets,
    fieldConfig: {
      defaults: {
        unit,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(thresholds ? { thresholds } : {}),
        color: { mode: 'palette-classic' },
        custom: {
          lineWidth: 2,
          fillOpacity: stack ? 30 : 10,
          showPoints: 'never',
          spanNulls: true,
          ...(stack ? { stacking: { mode: 'normal', group: 'A' } } : {}),
          thresholdsStyle: { mode: thresholds && drawThresholds ? 'line+area' : 'off' },
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

function stat(title, targets, { unit, thresholds, gridPos, decimals, description, mappings = [], colorMode = 'background' }) {
  return {
    type: 'stat',
    title,
    description,
    datasource: datasourceOf(targets),
    gridPos,
    targets,
    fieldConfig: {
      defaults: { unit, thresholds, mappings, ...(decimals !== undefined ? { decimals } : {}), color: { mode: 'thresholds' } },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode,
      graphMode: 'none',
      justifyMode: 'center',
      textMode: 'value_and_name',
      orientation: 'auto',
    },
  };
}

function bargauge(title, targets, { unit, thresholds, min, max, gridPos, description, decimals }) {
  return {
    type: 'bargauge',
    title,
    description,
    datasource: datasourceOf(targets),
    gridPos,
    targets,
    fieldConfig: {
      defaults: {
        unit,
        thresholds,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(decimals !== undefined ? { decimals } : {}),
        color: { mode: 'thresholds' },
      },
      overrides: [],
    },
    options: {
      orientation: 'horizontal',
      displayMode: 'lcd',
      showUnfilled: true,
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    },
  };
}

function table(title, targets, { gridPos, description, overrides = [], transformations = [], unit, thresholds }) {
  return {
    type: 'table',
    title,
    description,
    datasource: datasourceOf(targets),
    gridPos,
    targets,
    transformations,
    fieldConfig: {
      defaults: { ...(unit ? { unit } : {}), ...(thresholds ? { thresholds } : {}), custom: { align: 'auto', cellOptions: { type: 'auto' } } },
      overrides,
    },
    options: { showHeader: true, cellHeight: 'lg', footer: { show: false, reducer: ['sum'], fields: '' } },
  };
}

function heatmap(title, targets, { unit, gridPos, description }) {
  return {
    type: 'heatmap',
    title,
    description,
    datasource: datasourceOf(targets),
    gridPos,
    targets,
    fieldConfig: { defaults: { custom: { scaleDistribution: { type: 'linear' } } }, overrides: [] },
    options: {
      calculate: true,
      calculation: { yBuckets: { mode: 'count', value: '20', scale: { type: 'linear' } } },
      color: { mode: 'scheme', scheme: 'Oranges', steps: 64, exponent: 0.5, fill: 'dark-orange', reverse: false, scale: 'exponential' },
      cellGap: 1,
      yAxis: { axisPlacement: 'left', unit },
      tooltip: { mode: 'single', yHistogram: true },
      legend: { show: true },
      exemplars: { color: 'rgba(255,0,255,0.7)' },
      rowsFrame: { layout: 'auto' },
    },
  };
}

function row(title, y) {
  return { type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
}

/** A template variable read from InfluxDB tag values, multi-select with All. */
function tagVariable(name, label, query) {
  return {
    name,
    label,
    type: 'query',
    datasource: INFLUX,
    query,
    definition: query,
    refresh: 2,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    hide: 0,
  };
}

function dashboard({ uid, title, description, panels, variables = [], refresh = '30s', from = 'now-6h', tags = [] }) {
  panels.forEach((p, i) => (p.id = i + 1));
  return {
    uid,
    title,
    description,
    tags: ['kpid', ...tags],
    timezone: 'browser',
    editable: false,
    graphTooltip: 1,
    refresh,
    schemaVersion: 39,
    version: 1,
    time: { from, to: 'now' },
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [{ type: 'dashboards', tags: ['kpid'], asDropdown: true, title: 'kpid dashboards', includeVars: false, keepTime: true }],
    annotations: { list: [] },
    templating: { list: variables },
    panels,
  };
}

const grid = (x, y, w, h) => ({ x, y, w, h });

// ---------------------------------------------------------------- dashboards

function nocWallboard() {
  const kpiMappings = Object.entries(KPI_LABELS).map(([id, text]) => ({ type: 'value', options: { [id]: { text, index: 0 } } }));
  return dashboard({
    uid: 'kpid-noc',
    title: 'kpid · NOC wallboard',
    description: 'What is down, how long each outage has left on its 30-minute clock, and which KPIs fail.',
    refresh: '10s',
    from: 'now-1h',
    tags: ['noc'],
    panels: [
      stat('Open outages', [prom('kpid_outages_open', 'open', 'A', { instant: true })], {
        gridPos: grid(0, 0, 4, 6),
        thresholds: atMost(1),
        description: 'Outages whose service is not restored yet.',
      }),
      stat('Devices down', [prom('count(kpid_target_up == 0) or vector(0)', 'down', 'A', { instant: true })], {
        gridPos: grid(4, 0, 4, 6),
        thresholds: atMost(1),
        description: 'Targets that did not answer their last poll.',
      }),
      stat('Firing alerts', [prom('sum(kpid_alerts{state="firing"}) or vector(0)', 'firing', 'A', { instant: true })], {
        gridPos: grid(8, 0, 4, 6),
        thresholds: atMost(1),
      }),
      bargauge(
        'Outage SLA countdown: time left to restore',
        [prom('sort(kpid_outage_sla_remaining_seconds)', '{{service}} · {{outage}}', 'A', { instant: true })],
        {
          gridPos: grid(12, 0, 12, 6),
          unit: 's',
          min: 0,
          max: TARGETS.recovery_seconds,
          thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'orange', value: 300 }, { color: 'green', value: 900 }] },
          description: 'Seconds left before the 30-minute recovery target is missed; negative once it is missed.',
        },
      ),
      table(
        'KPI compliance: every catalogue KPI against its target',
        [
          prom('kpid_kpi_value', '', 'A', { instant: true, format: 'table' }),
          prom('kpid_kpi_compliant', '', 'B', { instant: true, format: 'table' }),
        ],
        {
          gridPos: grid(0, 6, 12, 12),
          transformations: [
            { id: 'merge', options: {} },
            { id: 'organize', options: { excludeByName: { Time: true, __name__: true, instance: true, job: true }, renameByName: { kpi: 'KPI (target)', scope: 'Where', 'Value #A': 'Value', 'Value #B': 'Pass' } } },
          ],
          overrides: [
            { matcher: { id: 'byName', options: 'KPI (target)' }, properties: [{ id: 'mappings', value: kpiMappings }] },
            { matcher: { id: 'byName', options: 'Value' }, properties: [{ id: 'decimals', value: 4 }] },
            {
              matcher: { id: 'byName', options: 'Pass' },
              properties: [
                { id: 'mappings', value: [{ type: 'value', options: { 0: { text: 'FAIL', color: 'red', index: 0 }, 1: { text: 'PASS', color: 'green', index: 1 } } }] },
                { id: 'custom.cellOptions', value: { type: 'color-background' } },
              ],
            },
          ],
        },
      ),
      bargauge('Worst links by utilisation', [prom('topk(10, kpid_interface_utilization_ratio)', '{{target}} {{interface}} {{direction}}', 'A', { instant: true })], {
        gridPos: grid(12, 6, 12, 6),
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: rising(TARGETS.utilisation.warn, TARGETS.utilisation.crit),
      }),
      bargauge('Worst probe latency', [prom('topk(10, kpid_probe_rtt_seconds)', '{{target}} {{probe}}', 'A', { instant: true })], {
        gridPos: grid(12, 12, 6, 6),
        unit: 's',
        min: 0,
        thresholds: rising(TARGETS.latency.warn, TARGETS.latency.crit),
      }),
      bargauge('Worst probe loss', [prom('topk(10, kpid_probe_loss_ratio)', '{{target}} {{probe}}', 'A', { instant: true })], {
        gridPos: grid(18, 12, 6, 6),
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: rising(TARGETS.loss.warn, TARGETS.loss.crit),
      }),
      table('Devices down now', [prom('kpid_target_up == 0', '', 'A', { instant: true, format: 'table' })], {
        gridPos: grid(0, 18, 24, 6),
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, __name__: true, instance: true, job: true, Value: true } } }],
        description: 'Empty when every target answers.',
      }),
      timeseries(
        'Busiest links: traffic (bit/s)',
        [
          prom('topk(5, rate(kpid_interface_receive_bytes_total[$__rate_interval]) * 8)', '{{target}} {{interface}} in', 'A'),
          prom('topk(5, rate(kpid_interface_transmit_bytes_total[$__rate_interval]) * 8)', '{{target}} {{interface}} out', 'B'),
        ],
        {
          unit: 'bps',
          min: 0,
          gridPos: grid(0, 24, 24, 8),
          description: 'From kpid\'s byte counters, which already account for 32-bit wraps and add nothing across a reboot, so the rate never spikes.',
        },
      ),
    ],
  });
}

const IF_FILTER = `"site" =~ /^$site$/ AND "target" =~ /^$device$/ AND "interface" =~ /^$interface$/ AND $timeFilter`;

function interfaces() {
  const q = (fields) => `SELECT ${fields} FROM "interface" WHERE ${IF_FILTER} GROUP BY time($__interval), "target", "interface" fill(none)`;
  return dashboard({
    uid: 'kpid-interfaces',
    title: 'kpid · Interfaces',
    description: 'Throughput, utilisation and errors per device and interface (SNMP IF-MIB HC counters).',
    tags: ['interfaces'],
    variables: [
      tagVariable('site', 'Site', 'SHOW TAG VALUES FROM "interface" WITH KEY = "site"'),
      tagVariable('device', 'Device', 'SHOW TAG VALUES FROM "interface" WITH KEY = "target" WHERE "site" =~ /^$site$/'),
      tagVariable('interface', 'Interface', 'SHOW TAG VALUES FROM "interface" WITH KEY = "interface" WHERE "target" =~ /^$device$/'),
    ],
    panels: [
      timeseries('Throughput in', [influx(q('mean("in_bps") AS "in"'))], { unit: 'bps', gridPos: grid(0, 0, 12, 9), min: 0 }),
      timeseries('Throughput out', [influx(q('mean("out_bps") AS "out"'))], { unit: 'bps', gridPos: grid(12, 0, 12, 9), min: 0 }),
      timeseries('Utilisation in (80 % warning, 90 % critical)', [influx(q('mean("in_utilization") AS "in"'))], {
        unit: 'percentunit', min: 0, max: 1, gridPos: grid(0, 9, 12, 9),
        thresholds: rising(TARGETS.utilisation.warn, TARGETS.utilisation.crit),
      }),
      timeseries('Utilisation out (80 % warning, 90 % critical)', [influx(q('mean("out_utilization") AS "out"'))], {
        unit: 'percentunit', min: 0, max: 1, gridPos: grid(12, 9, 12, 9),
        thresholds: rising(TARGETS.utilisation.warn, TARGETS.utilisation.crit),
      }),
      timeseries('Errors (share of packets, 0.1 % warning, 1 % critical)', [influx(q('max("in_errors_ratio") AS "in", max("out_errors_ratio") AS "out"'))], {
        unit: 'percentunit', min: 0, gridPos: grid(0, 18, 12, 8),
        thresholds: rising(TARGETS.errors.warn, TARGETS.errors.crit),
      }),
      timeseries('Discards (share of packets)', [influx(q('max("in_discards_ratio") AS "in", max("out_discards_ratio") AS "out"'))], {
        unit: 'percentunit', min: 0, gridPos: grid(12, 18, 12, 8),
        thresholds: rising(TARGETS.errors.warn, TARGETS.errors.crit),
      }),
      table('Interfaces operationally down', [influx(`SELECT last("oper_up") AS "oper_up", last("admin_up") AS "admin_up", last("speed_bps") AS "speed" FROM "interface" WHERE ${IF_FILTER} GROUP BY "target", "interface"`, 'A', 'table')], {
        gridPos: grid(0, 26, 24, 8),
        description: 'Last status of every selected interface; oper_up 0 with admin_up 1 is a link down.',
        overrides: [
          { matcher: { id: 'byName', options: 'oper_up' }, properties: [{ id: 'mappings', value: [{ type: 'value', options: { 0: { text: 'DOWN', color: 'red', index: 0 }, 1: { text: 'up', color: 'green', index: 1 } } }] }, { id: 'custom.cellOptions', value: { type: 'color-background' } }] },
          { matcher: { id: 'byName', options: 'speed' }, properties: [{ id: 'unit', value: 'bps' }] },
        ],
      }),
    ],
  });
}

const PROBE_FILTER = `"site" =~ /^$site$/ AND "target" =~ /^$target$/ AND "probe" =~ /^$probe$/ AND $timeFilter`;

function probes() {
  const raw = (field) => `SELECT "${field}" FROM "probe" WHERE ${PROBE_FILTER}`;
  const mean = (field) => `SELECT mean("${field}") FROM "probe" WHERE ${PROBE_FILTER} GROUP BY time($__interval), "site", "target" fill(none)`;
  return dashboard({
    uid: 'kpid-probes',
    title: 'kpid · Probes',
    description: 'Latency, jitter and loss of ICMP/TCP/HTTP/DNS probes, and the data rate of throughput probes, per site and target.',
    tags: ['probes'],
    variables: [
      tagVariable('site', 'Site', 'SHOW TAG VALUES FROM "probe" WITH KEY = "site"'),
      tagVariable('target', 'Target', 'SHOW TAG VALUES FROM "probe" WITH KEY = "target" WHERE "site" =~ /^$site$/'),
      tagVariable('probe', 'Probe', 'SHOW TAG VALUES FROM "probe" WITH KEY = "probe" WHERE "target" =~ /^$target$/'),
    ],
    panels: [
      row('Distributions', 0),
      heatmap('Latency heatmap (round trip)', [influx(raw('rtt_seconds'))], { unit: 's', gridPos: grid(0, 1, 8, 10) }),
      heatmap('Jitter heatmap', [influx(raw('jitter_seconds'))], { unit: 's', gridPos: grid(8, 1, 8, 10) }),
      heatmap('Loss heatmap', [influx(raw('loss_ratio'))], { unit: 'percentunit', gridPos: grid(16, 1, 8, 10) }),
      row('Per site and target', 11),
      timeseries('Latency (50 ms warning, 150 ms critical)', [influx(mean('rtt_seconds'))], {
        unit: 's', min: 0, gridPos: grid(0, 12, 12, 9), thresholds: rising(TARGETS.latency.warn, TARGETS.latency.crit),
      }),
      timeseries('Jitter (10 ms warning, 30 ms critical)', [influx(mean('jitter_seconds'))], {
        unit: 's', min: 0, gridPos: grid(12, 12, 12, 9), thresholds: rising(TARGETS.jitter.warn, TARGETS.jitter.crit),
      }),
      timeseries('Packet loss (1 % warning, 5 % critical)', [influx(mean('loss_ratio'))], {
        unit: 'percentunit', min: 0, max: 1, gridPos: grid(0, 21, 12, 9), thresholds: rising(TARGETS.loss.warn, TARGETS.loss.crit),
      }),
      timeseries('Probe success', [influx(mean('success'))], {
        unit: 'percentunit', min: 0, max: 1, gridPos: grid(12, 21, 12, 9), thresholds: atLeast(1), drawThresholds: false,
      }),
      row('Data rate users get (throughput probes)', 30),
      timeseries('Download data rate (≥ 100 Mbit/s)', [influx(mean('download_bits_per_second'))], {
        unit: 'bps', min: 0, gridPos: grid(0, 31, 12, 9), thresholds: atLeast(TARGETS.avg_data_rate),
        description: 'Goodput of each throughput probe download, after its first byte (kpi avg_data_rate).',
      }),
      timeseries('Time to first byte', [influx(mean('ttfb_seconds'))], {
        unit: 's', min: 0, gridPos: grid(12, 31, 12, 9),
        description: 'From the request to the first byte of the response, per throughput probe.',
      }),
    ],
  });
}

const VOICE_FILTER = `"site" =~ /^$site$/ AND "target" =~ /^$switch$/ AND $timeFilter`;

function voice() {
  return dashboard({
    uid: 'kpid-voice',
    title: 'kpid · Voice quality',
    description: 'Call drop rate against < 0.5 % and answer rate against ≥ 95 %, from switch and voice gateway counters.',
    tags: ['voice'],
    variables: [
      tagVariable('site', 'Site', 'SHOW TAG VALUES FROM "voice" WITH KEY = "site"'),
      tagVariable('switch', 'Switch', 'SHOW TAG VALUES FROM "voice" WITH KEY = "target" WHERE "site" =~ /^$site$/'),
    ],
    panels: [
      stat('Call drop rate over the period (target < 0.5 %)', [influx(`SELECT sum("calls_dropped") / sum("calls_answered") AS "drop rate" FROM "voice" WHERE ${VOICE_FILTER}`)], {
        unit: 'percentunit', decimals: 2, gridPos: grid(0, 0, 6, 6), thresholds: atMost(TARGETS.call_drop_rate),
      }),
      stat('Call answer rate over the period (target ≥ 95 %)', [influx(`SELECT sum("calls_answered") / sum("call_attempts") AS "answer rate" FROM "voice" WHERE ${VOICE_FILTER}`)], {
        unit: 'percentunit', decimals: 2, gridPos: grid(6, 0, 6, 6), thresholds: atLeast(TARGETS.call_answer_rate),
      }),
      timeseries('Call attempts', [influx(`SELECT sum("call_attempts") AS "attempts", sum("calls_answered") AS "answered", sum("calls_dropped") AS "dropped" FROM "voice" WHERE ${VOICE_FILTER} GROUP BY time($__interval) fill(none)`)], {
        unit: 'short', min: 0, gridPos: grid(12, 0, 12, 6),
      }),
      timeseries('Call drop rate per switch (red line: 0.5 %)', [influx(`SELECT sum("calls_dropped") / sum("calls_answered") FROM "voice" WHERE ${VOICE_FILTER} GROUP BY time($__interval), "site", "target" fill(none)`)], {
        unit: 'percentunit', min: 0, gridPos: grid(0, 6, 12, 10), thresholds: atMost(TARGETS.call_drop_rate),
      }),
      timeseries('Call answer rate per switch (red below 95 %)', [influx(`SELECT sum("calls_answered") / sum("call_attempts") FROM "voice" WHERE ${VOICE_FILTER} GROUP BY time($__interval), "site", "target" fill(none)`)], {
        unit: 'percentunit', max: 1, gridPos: grid(12, 6, 12, 10), thresholds: atLeast(TARGETS.call_answer_rate),
      }),
    ],
  });
}

function sla() {
  // Rolling 30 days is the `kpi` sample the outage ledger already produces
  // ({kpi: availability, scope: SERVICE}, no window tag); month to date
  // carries window=month_to_date. `!=` also matches series without the tag.
  const ROLLING = `"window" != 'month_to_date'`;
  const MTD = `"window" = 'month_to_date'`;
  const availability = (window) =>
    `SELECT last("value") AS "availability" FROM "kpi" WHERE "kpi" = 'availability' AND ${window} AND "scope" =~ /^$service$/ AND $timeFilter GROUP BY "scope"`;
  return dashboard({
    uid: 'kpid-sla',
    title: 'kpid · SLA and availability',
    description: 'Availability per service against 99.9 %, month to date and rolling 30 days, and every outage against the 30-minute recovery target.',
    tags: ['sla'],
    from: 'now-30d',
    refresh: '1m',
    variables: [tagVariable('service', 'Service', `SHOW TAG VALUES FROM "kpi" WITH KEY = "scope" WHERE "kpi" = 'availability'`)],
    panels: [
      bargauge('Availability, month to date (target 99.9 %)', [influx(availability(MTD))], {
        unit: 'percentunit', decimals: 3, min: 0.99, max: 1, gridPos: grid(0, 0, 12, 8), thresholds: atLeast(TARGETS.availability),
      }),
      bargauge('Availability, rolling 30 days (target 99.9 %)', [influx(availability(ROLLING))], {
        unit: 'percentunit', decimals: 3, min: 0.99, max: 1, gridPos: grid(12, 0, 12, 8), thresholds: atLeast(TARGETS.availability),
      }),
      timeseries('Availability, rolling 30 days, over time (red line: 99.9 %)', [influx(`SELECT last("value") FROM "kpi" WHERE "kpi" = 'availability' AND ${ROLLING} AND "scope" =~ /^$service$/ AND $timeFilter GROUP BY time($__interval), "scope" fill(none)`)], {
        unit: 'percentunit', decimals: 3, max: 1, gridPos: grid(0, 8, 24, 8), thresholds: atLeast(TARGETS.availability),
      }),
      table('Outages and their duration (target: restored within 30 min)', [influx(`SELECT last("duration_seconds") AS "duration", last("open") AS "open" FROM "outage" WHERE "service" =~ /^$service$/ AND $timeFilter GROUP BY "service", "outage"`, 'A', 'table')], {
        gridPos: grid(0, 16, 16, 12),
        unit: 's',
        overrides: [
          { matcher: { id: 'byName', options: 'duration' }, properties: [{ id: 'unit', value: 's' }, { id: 'thresholds', value: atMost(TARGETS.recovery_seconds) }, { id: 'custom.cellOptions', value: { type: 'color-background' } }] },
          { matcher: { id: 'byName', options: 'open' }, properties: [{ id: 'unit', value: 'none' }, { id: 'mappings', value: [{ type: 'value', options: { 0: { text: 'restored', index: 0 }, 1: { text: 'OPEN', color: 'red', index: 1 } } }] }] },
        ],
      }),
      bargauge('Open outages: time left on the 30-minute clock', [prom('kpid_outage_sla_remaining_seconds{service=~"$service"}', '{{service}} · {{outage}}', 'A', { instant: true })], {
        unit: 's', min: 0, max: TARGETS.recovery_seconds, gridPos: grid(16, 16, 8, 12),
        thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'orange', value: 300 }, { color: 'green', value: 900 }] },
      }),
    ],
  });
}

export const DASHBOARDS = {
  'noc-wallboard.json': nocWallboard,
  'interfaces.json': interfaces,
  'probes.json': probes,
  'voice-quality.json': voice,
  'sla-availability.json': sla,
};

function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    const text = JSON.stringify(build(), null, 2) + '\n';
    const path = join(OUT, file);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`${path} is stale: run node grafana/generate.mjs`);
        stale++;
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
  if (stale) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
