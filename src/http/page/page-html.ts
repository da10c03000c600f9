/**
 * The status page's HTML: the frame the script fills from the API. It
 * carries no data, so it can be served before the token is known; wall mode
 * (large type, dark, no controls) is decided here, on the server.
 */
export function pageHtml(o: { wall: boolean }): string {
  // The token form shows only when the API asks for the token, on the wall too.
  const tokenForm = `
  <form id="token-form" class="token" hidden>
    <label>API token <input id="token" type="password" autocomplete="off" required></label>
    <button type="submit">Use token</button>
    <span class="hint">kept in this browser tab only (session storage)</span>
  </form>`;
  const dialogs = o.wall ? '' : `
<dialog id="ack-dialog">
  <form method="dialog" id="ack-form">
    <h3>Acknowledge</h3>
    <p id="ack-what"></p>
    <label>Your name <input name="by" required maxlength="200" autocomplete="name"></label>
    <label>Comment <textarea name="comment" rows="3" maxlength="2000" placeholder="field team on site"></textarea></label>
    <p class="error" id="ack-error"></p>
    <menu><button value="cancel" formnovalidate>Cancel</button><button id="ack-confirm" value="ok" class="primary">Acknowledge</button></menu>
  </form>
</dialog>
<dialog id="silence-dialog">
  <form method="dialog" id="silence-form">
    <h3>Silence</h3>
    <fieldset id="silence-scope"></fieldset>
    <label>For <select name="duration">
      <option>30m</option><option selected>1h</option><option>2h</option><option>4h</option><option>8h</option><option>1d</option>
    </select></label>
    <label>Your name <input name="createdBy" required maxlength="200" autocomplete="name"></label>
    <label>Comment <textarea name="comment" rows="2" maxlength="2000"></textarea></label>
    <p class="error" id="silence-error"></p>
    <menu><button value="cancel" formnovalidate>Cancel</button><button id="silence-confirm" value="ok" class="primary">Silence</button></menu>
  </form>
</dialog>`;
  const silences = o.wall ? '' : `
  <section id="silences"><h2>Silences</h2><div class="body"></div></section>`;
  return `<!doctype html>
<html lang="en" class="${o.wall ? 'wall' : 'desk'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kpid · NOC status</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/page/noc.css">
<script src="/page/noc.js" defer></script>
<script src="/page/noc-draw.js" defer></script>
<script src="/page/noc-actions.js" defer></script>
</head>
<body class="${o.wall ? 'wall' : 'desk'}">
<header>
  <h1>kpid <span>NOC status</span></h1>
  <p class="status"><span id="summary"></span> <span id="updated">loading…</span></p>
</header>
<div id="banner" role="alert" hidden></div>${tokenForm}
<main>
  <section id="outages"><h2>Open outages</h2><div class="body"></div></section>
  <section id="alerts"><h2>Firing alerts</h2><div class="body"></div></section>
  <section id="restored"><h2>Recent restorations</h2><div class="body"></div></section>
  <section id="kpis"><h2>KPIs</h2><div class="body"></div></section>${silences}
  <section id="cluster" hidden><h2>Cluster</h2><div class="body"></div></section>
</main>${dialogs}
</body>
</html>
`;
}
