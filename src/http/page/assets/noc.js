// kpid's NOC status page: reads the API every few seconds and draws it.
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

// ---- drawing ------------------------------------------------------------

/**
 * A section is redrawn only when what it shows changed, and never while a
 * pointer is pressed: a button replaced between press and release would
 * swallow the operator's click.
 */
const rendered = {};
let pressed = false;
let deferred = false;

function render(id, key, fn) {
  const k = JSON.stringify(key);
  if (rendered[id] === k) return;
  rendered[id] = k;
  fn();
}

addEventListener('pointerdown', () => { pressed = true; }, true);
for (const type of ['pointerup', 'pointercancel']) {
  addEventListener(type, () => setTimeout(() => {
    pressed = false;
    if (deferred) draw();
  }, 0), true);
}

function draw() {
  deferred = pressed;
  if (pressed || !state.data) return;
  const { alerts, outages, kpis, cluster, silences } = state.data;
  const open = outages.filter((o) => o.state === 'open');
  const firing = alerts.filter((a) => a.state === 'firing');
  // The clocks tick from state.outages; only what else a card shows decides a redraw.
  render('outages', [open.map((o) => [o.id, o.service, o.startedAt, o.planned, o.acknowledged, o.alerts, o.sla.warnAtSeconds]), firing.map((a) => a.id)],
    () => drawOutages(open, alerts));
  render('alerts', firing, () => drawAlerts(firing));
  render('restored', outages.filter((o) => o.state !== 'open'), () => drawRestored(outages.filter((o) => o.state !== 'open')));
  render('kpis', kpis, () => drawKpis(kpis));
  render('cluster', cluster, () => drawCluster(cluster));
  if (silences) render('silences', silences, () => drawSilences(silences));
  document.getElementById('summary').textContent = open.length + ' open outage' + (open.length === 1 ? '' : 's') + ' · ' + firing.length + ' firing';
  tick();
}

/** "12 s ago", kept current by tick(). */
function since(iso) {
  return el('span', { class: 'ago', 'data-t': iso }, ago(iso));
}

function remaining(o) {
  return o.sla.remainingSeconds - (Date.now() - state.fetchedAt) / 1000;
}

/** The phase of an outage's clock: ok before the first warning mark, then warn, late (last mark), missed. */
function phase(o, left) {
  const elapsed = o.sla.recoveryTargetSeconds - left;
  if (left < 0) return 'missed';
  const passed = o.sla.warnAtSeconds.filter((w) => elapsed >= w).length;
  if (passed === 0) return 'ok';
  return passed >= o.sla.warnAtSeconds.length ? 'late' : 'warn';
}

function drawOutages(open, alerts) {
  const body = section('outages');
  body.replaceChildren();
  if (!open.length) {
    body.append(el('p', { class: 'quiet' }, 'No open outage.'));
    return;
  }
  for (const o of open) {
    const target = o.sla.recoveryTargetSeconds;
    const marks = o.sla.warnAtSeconds.map((w) => el('span', { class: 'mark', style: null, 'data-at': w, title: 'warning at ' + clock(w) }));
    const bar = el('div', { class: 'bar' }, el('span', { class: 'fill' }), marks);
    const card = el('article', { class: 'outage', 'data-id': o.id },
      el('div', { class: 'what' },
        el('h3', {}, o.service),
        el('p', {}, 'down since ', el('b', {}, at(o.startedAt)), ' (', since(o.startedAt), ')',
          o.planned ? el('span', { class: 'tag' }, 'planned') : null,
          o.acknowledged ? el('span', { class: 'tag ack' }, 'acked by ' + o.acknowledged.by) : null),
        el('p', { class: 'marks' }, 'target ' + clock(target) + ' · warnings at ' + o.sla.warnAtSeconds.map(clock).join(', '))),
      el('div', { class: 'clock' }, el('span', { class: 'left' }), el('span', { class: 'caption' })),
      bar,
      wall || o.acknowledged ? null : el('div', { class: 'actions' },
        el('button', { class: 'primary ack', onclick: () => openAck({ kind: 'outage', id: o.id, title: 'outage of ' + o.service, alerts: o.alerts.filter((f) => alerts.some((a) => a.id === f)) }) }, 'Ack outage')));
    for (const m of marks) m.style.left = (100 * Number(m.dataset.at)) / target + '%';
    body.append(card);
  }
}

function tickOutages() {
  for (const card of document.querySelectorAll('article.outage')) {
    const o = state.outages.find((x) => x.id === card.dataset.id);
    if (!o) continue;
    const left = remaining(o);
    const p = phase(o, left);
    card.dataset.phase = p;
    card.querySelector('.left').textContent = (left < 0 ? '−' : '') + clock(left);
    card.querySelector('.caption').textContent = left < 0 ? 'past the recovery target' : 'to the recovery target';
    const done = Math.min(1, Math.max(0, 1 - left / o.sla.recoveryTargetSeconds));
    card.querySelector('.fill').style.width = (done * 100).toFixed(1) + '%';
  }
}

function drawAlerts(firing) {
  const body = section('alerts');
  body.replaceChildren();
  if (!firing.length) {
    body.append(el('p', { class: 'quiet' }, 'Nothing is firing.'));
    return;
  }
  const groups = new Map();
  for (const a of firing) {
    const key = (a.labels.site || '—') + '\u0000' + (a.labels.target || a.labels.scope || '—');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(a);
  }
  const rank = { critical: 0, major: 1, warning: 2, minor: 3, info: 4 };
  for (const [key, list] of [...groups].sort((x, y) => x[0].localeCompare(y[0]))) {
    const [site, target] = key.split('\u0000');
    list.sort((x, y) => (rank[x.severity] ?? 5) - (rank[y.severity] ?? 5));
    const rows = list.map((a) => el('tr', { class: 'sev-' + a.severity, 'data-id': a.id },
      el('td', { class: 'sevcell' }, el('span', { class: 'sev' }, a.severity)),
      el('td', { class: 'rule' }, el('b', {}, camel(a.rule)), a.labels.interface ? ' ' + a.labels.interface : '',
        a.acknowledged ? el('span', { class: 'tag ack' }, 'acked by ' + a.acknowledged.by) : null,
        a.flapping ? el('span', { class: 'tag' }, 'flapping') : null,
        a.annotations.summary ? el('div', { class: 'summary' }, a.annotations.summary) : null),
      el('td', { class: 'since' }, at(a.firedAt), el('div', { class: 'summary' }, since(a.firedAt))),
      el('td', { class: 'num' }, alertFigure(a, a.value), a.threshold !== null ? el('div', { class: 'summary' }, 'threshold ' + alertFigure(a, a.threshold)) : null),
      wall ? null : el('td', { class: 'actions' },
        a.acknowledged ? null : el('button', { class: 'ack', onclick: () => openAck({ kind: 'alert', id: a.id, title: a.rule + ' on ' + (a.labels.target || a.labels.scope || site), alerts: [] }) }, 'Ack'),
        el('button', { onclick: () => openSilence(a) }, 'Silence'))));
    body.append(el('div', { class: 'group' },
      el('h3', {}, el('span', { class: 'site' }, site), ' ', target),
      el('table', { class: 'alerts' }, el('tbody', {}, rows))));
  }
}

function drawRestored(list) {
  const body = section('restored');
  body.replaceChildren();
  const recent = list.slice().sort((x, y) => Date.parse(y.endedAt) - Date.parse(x.endedAt)).slice(0, wall ? 5 : 20);
  if (!recent.length) {
    body.append(el('p', { class: 'quiet' }, 'No outage in the last days.'));
    return;
  }
  body.append(el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'service'), el('th', {}, 'ended'), el('th', { class: 'num' }, 'down for'), el('th', {}, 'target'))),
    el('tbody', {}, recent.map((o) => el('tr', {},
      el('td', {}, o.service, o.planned ? el('span', { class: 'tag' }, 'planned') : null),
      el('td', {}, at(o.endedAt)),
      el('td', { class: 'num' }, clock(o.durationSeconds)),
      el('td', {}, o.endedBy === 'removal' ? el('span', { class: 'tag' }, 'no longer watched')
        : el('span', { class: o.sla.met ? 'yes' : 'no' }, o.sla.met ? 'met' : 'missed')))))));
}

function kpiTable(rows) {
  return el('table', { class: 'kpi' },
    el('thead', {}, el('tr', {}, el('th', {}, 'KPI'), el('th', { class: 'num' }, 'value'), el('th', {}, 'target'), el('th', {}, ''))),
    el('tbody', {}, rows.map((k) => el('tr', { class: k.compliant ? '' : 'failing' },
      el('td', {}, k.name, el('div', { class: 'summary' }, k.scope)),
      el('td', { class: 'num' }, figure(k.value, k.unit)),
      el('td', { class: 'target' }, k.target || ''),
      el('td', { class: 'verdict' }, el('span', { class: k.compliant ? 'yes' : 'no' }, k.compliant ? 'compliant' : 'not compliant'))))));
}

function drawKpis(kpis) {
  const body = section('kpis');
  const open = body.querySelector('details') ? body.querySelector('details').open : false;
  body.replaceChildren();
  if (!kpis.length) {
    body.append(el('p', { class: 'quiet' }, 'No KPI value yet.'));
    return;
  }
  // What misses its target is shown; the compliant rest is counted (listed on demand at the desk).
  const failing = kpis.filter((k) => !k.compliant);
  const fine = kpis.filter((k) => k.compliant);
  if (failing.length) body.append(kpiTable(failing));
  const count = fine.length + ' of ' + kpis.length + ' KPI values meet their target';
  if (wall || !fine.length) body.append(el('p', { class: 'quiet' }, count));
  else body.append(el('details', { open }, el('summary', {}, count), kpiTable(fine)));
}

function drawCluster(c) {
  const box = document.getElementById('cluster');
  box.hidden = !c.enabled;
  if (!c.enabled) return;
  const body = section('cluster');
  body.replaceChildren(el('ul', { class: 'members' }, c.members.map((m) => el('li', { class: m === c.instance ? 'self' : '' }, m, m === c.instance ? ' (this one, ' + c.ownedTargets + ' targets)' : ''))),
    ...(c.redisUp ? [] : [el('p', { class: 'no' }, 'Redis is not reachable from this instance')]));
}

function drawSilences(list) {
  const body = section('silences');
  body.replaceChildren();
  const shown = list.filter((s) => s.state !== 'expired');
  if (!shown.length) {
    body.append(el('p', { class: 'quiet' }, 'No silence in force.'));
    return;
  }
  body.append(el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'matches'), el('th', {}, 'state'), el('th', {}, 'until'), el('th', {}, 'by'), el('th', {}, ''))),
    el('tbody', {}, shown.map((s) => el('tr', { 'data-id': s.id },
      el('td', {}, Object.entries(s.matchers).map(([k, v]) => k + '=' + v).join(', '), s.comment ? el('div', { class: 'summary' }, s.comment) : null),
      el('td', {}, s.state + (s.maintenance ? ' · maintenance' : '')),
      el('td', {}, at(s.current ? s.current.endsAt : s.endsAt)),
      el('td', {}, s.createdBy || s.source),
      el('td', { class: 'actions' }, s.source === 'api' ? el('button', { onclick: () => expire(s) }, 'Expire') : el('span', { class: 'summary' }, 'config')))))));
}

function tick() {
  tickOutages();
  for (const e of document.querySelectorAll('.ago')) e.textContent = ago(e.dataset.t);
  const banner = document.getElementById('banner');
  const updated = document.getElementById('updated');
  const age = state.lastOk ? Math.round((Date.now() - state.lastOk) / 1000) : null;
  updated.textContent = age === null ? 'no data yet' : 'last update ' + age + ' s ago';
  const stale = state.problem !== null || (age !== null && age * 1000 > 3 * POLL_MS);
  document.body.classList.toggle('stale', stale);
  banner.hidden = !stale;
  if (stale) banner.textContent = (state.problem || 'kpid is not answering') + (age !== null ? ' — what you see is ' + age + ' s old' : '');
  document.getElementById('token-form').hidden = !state.needToken;
}

// ---- actions (not on the wall) --------------------------------------------

let acking = null;

function openAck(what) {
  acking = what;
  const dialog = document.getElementById('ack-dialog');
  document.getElementById('ack-what').textContent = what.title + (what.alerts.length ? ' and its ' + what.alerts.length + ' firing alert(s)' : '');
  document.getElementById('ack-error').textContent = '';
  const by = dialog.querySelector('[name=by]');
  by.value = localStorage.getItem('kpid.name') || '';
  dialog.showModal();
}

async function submitAck(ev) {
  ev.preventDefault();
  if (ev.submitter && ev.submitter.value === 'cancel') return document.getElementById('ack-dialog').close();
  const form = ev.target;
  const by = form.elements.by.value.trim();
  const comment = form.elements.comment.value.trim();
  localStorage.setItem('kpid.name', by);
  // An outage's own ack records who took it; its alerts' acks stop their escalation ladders.
  const ids = [acking.id, ...acking.alerts];
  try {
    for (const id of ids) {
      await api('/api/v1/alerts/' + encodeURIComponent(id) + '/ack', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(comment ? { by, comment } : { by }),
      });
    }
    form.reset();
    document.getElementById('ack-dialog').close();
    refresh();
  } catch (err) {
    document.getElementById('ack-error').textContent = err.message;
  }
}

let silencing = null;

function openSilence(a) {
  const target = a.labels.target;
  const choices = [];
  if (target) choices.push({ label: 'target ' + target, matchers: { target } });
  choices.push({ label: 'rule ' + a.rule + ' everywhere', matchers: { alertname: a.rule } });
  if (target) choices.push({ label: 'rule ' + a.rule + ' on ' + target, matchers: { alertname: a.rule, target } });
  silencing = choices;
  const scope = document.getElementById('silence-scope');
  scope.replaceChildren(el('legend', {}, 'What to silence'), ...choices.map((c, i) =>
    el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'scope', value: i, checked: i === 0 }), ' ' + c.label)));
  const dialog = document.getElementById('silence-dialog');
  dialog.querySelector('[name=createdBy]').value = localStorage.getItem('kpid.name') || '';
  document.getElementById('silence-error').textContent = '';
  dialog.showModal();
}

async function submitSilence(ev) {
  ev.preventDefault();
  if (ev.submitter && ev.submitter.value === 'cancel') return document.getElementById('silence-dialog').close();
  const f = ev.target.elements;
  const choice = silencing[Number(ev.target.querySelector('[name=scope]:checked').value)];
  const body = { matchers: choice.matchers, duration: f.duration.value, createdBy: f.createdBy.value.trim() };
  if (f.comment.value.trim()) body.comment = f.comment.value.trim();
  localStorage.setItem('kpid.name', body.createdBy);
  try {
    await api('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    ev.target.reset();
    document.getElementById('silence-dialog').close();
    refresh();
  } catch (err) {
    document.getElementById('silence-error').textContent = err.message;
  }
}

async function expire(s) {
  if (!confirm('Expire the silence on ' + Object.entries(s.matchers).map(([k, v]) => k + '=' + v).join(', ') + '?')) return;
  try {
    await api('/api/v1/silences/' + encodeURIComponent(s.id), { method: 'DELETE' });
  } catch (err) {
    state.problem = 'could not expire the silence: ' + err.message;
  }
  refresh();
}

// ---- start --------------------------------------------------------------

document.getElementById('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  refresh();
});
if (!wall) {
  document.getElementById('ack-form').addEventListener('submit', submitAck);
  document.getElementById('silence-form').addEventListener('submit', submitSilence);
}
refresh();
setInterval(refresh, POLL_MS);
setInterval(tick, 1000);
