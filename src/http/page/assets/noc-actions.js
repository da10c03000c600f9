// kpid's NOC status page, part 3 of 3: ack, silence and expire through the API (not on the wall), and the start.
'use strict';

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
