// kpid's NOC status page, part 1 of 3 (then noc-draw.js, noc-actions.js): state, small helpers, the API.
// Plain DOM, no framework; every value is set as text, never as HTML.
'use strict';

const POLL_MS = 5000;
const TOKEN_KEY = 'kpid.api_token';
const wall = document.body.classList.contains('wall');
const state = { lastOk: 0, fetchedAt: 0, outages: [], problem: null, needToken: false };

// ---- small helpers ------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A rule name that may wrap between its words: InterfaceIn<wbr>Utilisation<wbr>Warning. */
function camel(name) {
  return name.split(/(?<=[a-z0-9])(?=[A-Z])/).flatMap((w, i) => (i ? [document.createElement('wbr'), w] : [w]));
}

function section(id) {
  return document.querySelector('#' + id + ' .body');
}

function clock(seconds) {
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + r;
}

function ago(iso) {
  if (!iso) return '';
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 90) return Math.max(0, Math.round(s)) + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

function at(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return sameDay ? time : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
}

function figure(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 'ratio') return (value * 100).toFixed(value >= 0.999 && value < 1 ? 3 : 2).replace(/\.?0+$/, '') + ' %';
  if (unit === 'seconds') return value >= 120 ? clock(value) : (value < 1 ? Math.round(value * 1000) + ' ms' : value.toFixed(1) + ' s');
  if (unit === 'bits_per_second') {
    const units = [[1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
    for (const [f, u] of units) if (Math.abs(value) >= f) return (value / f).toFixed(1) + ' ' + u;
    return Math.round(value) + ' bit/s';
  }
  return String(Math.round(value * 1000) / 1000);
}

/** Units of the KPIs kpid has values for: an alert's value is shown in its KPI's unit. */
let kpiUnits = {};

function alertFigure(a, v) {
  return figure(v, kpiUnits[a.kpi]);
}

// ---- the API ------------------------------------------------------------

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

async function api(path, init) {
  const headers = Object.assign({ accept: 'application/json' }, (init && init.headers) || {});
  if (token()) headers.authorization = 'Bearer ' + token();
  const res = await fetch(path, Object.assign({}, init, { headers, cache: 'no-store', credentials: 'omit' }));
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error((body.error && body.error.message) || 'HTTP ' + res.status);
    err.status = res.status;
    err.code = body.error && body.error.code;
    throw err;
  }
  return body;
}

async function refresh() {
  try {
    const [alerts, outages, kpis, cluster, silences] = await Promise.all([
      api('/api/v1/alerts'), api('/api/v1/outages'), api('/api/v1/kpis'), api('/api/v1/cluster'),
      wall ? Promise.resolve(null) : api('/api/v1/silences'),
    ]);
    state.lastOk = state.fetchedAt = Date.now();
    state.problem = null;
    state.needToken = false;
    kpiUnits = {};
    for (const k of kpis.kpis) kpiUnits[k.kpi] = k.unit;
    state.outages = outages.outages;
    state.data = { alerts: alerts.alerts, outages: outages.outages, kpis: kpis.kpis, cluster, silences: silences && silences.silences };
    draw();
  } catch (err) {
    if (err.status === 401) {
      state.needToken = true;
      state.problem = token() ? 'The API token was refused. Enter the right one (server.api_token).' : 'This kpid needs its API token to show anything.';
    } else if (err.status === 403) {
      state.problem = err.message;
    } else if (err.status) {
      state.problem = 'kpid answered ' + err.status + ': ' + err.message;
    } else {
      state.problem = 'kpid is not reachable';
    }
  }
  tick();
}
