// kpid's NOC status page, part 2 of 3: drawing what noc.js fetched. Every value is set as text, never as HTML.
'use strict';

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
