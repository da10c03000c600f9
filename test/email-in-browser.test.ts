import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../src/notify/render.js';
import { renderStormSummary } from '../src/notify/render-storm.js';
import { FIRED_AT, MESSAGES, PUBLIC, stormBatches } from './helpers/message-fixtures.js';

/**
 * The email's HTML in a real browser (Debian's headless Chromium) at a
 * phone's width, 390 CSS pixels: nothing may stick out to the right (no
 * sideways scrolling to read the ack line). Screenshots are kept in
 * test/artifacts/ (gitignored); docs/oncall-email-phone.png is a committed copy.
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
const PHONE = { width: 390, height: 844 };
const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

/**
 * Headless Chromium will not make its window narrower than 500 px, so each
 * email is laid out in a 390 px iframe (srcdoc: same origin, so it can be
 * measured), the way a phone's mail app gives it a 390 px viewport. One page
 * holds every email; the widest right edge of any element inside each is
 * written back for --dump-dom.
 */
function harness(emails: Record<string, string>, measure: boolean): string {
  const frames = Object.entries(emails).map(([name, html]) =>
    `<iframe data-name="${name}" style="width:${PHONE.width}px;height:${PHONE.height}px;border:0;display:block" srcdoc="${html.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>`);
  const script = measure ? `<script>addEventListener('load', () => {
  const out = {};
  for (const f of document.querySelectorAll('iframe')) {
    const doc = f.contentDocument;
    let right = doc.documentElement.scrollWidth;
    for (const el of doc.querySelectorAll('body *')) right = Math.max(right, Math.ceil(el.getBoundingClientRect().right));
    out[f.dataset.name] = right;
  }
  const pre = document.createElement('pre');
  pre.id = 'widest';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});</script>` : '';
  return `<!doctype html><html><body style="margin:0">${frames.join('')}${script}</body></html>`;
}

function chromium(args: string[]): string {
  if (!CHROMIUM) throw new Error('headless Chromium is needed for this test: apt-get install -y --no-install-recommends chromium');
  return execFileSync(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', `--window-size=${PHONE.width},${PHONE.height}`, ...args], {
    encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'],
  });
}

const pages: Record<string, string> = {
  ...Object.fromEntries(Object.entries(MESSAGES).map(([name, m]) => [name, render(m.batch, { links: m.links, now: m.now }).html])),
  'storm-summary': renderStormSummary(stormBatches(), 60_000, { links: PUBLIC, now: FIRED_AT }).html,
};

describe('the alert email at a phone\'s width in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-email-'));

  it('no kind of message is wider than the screen, and a screenshot is kept', () => {
    const file = join(dir, 'all.html');
    writeFileSync(file, harness(pages, true));
    const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', `file://${file}`]);
    const widest = JSON.parse(/<pre id="widest">([^<]*)<\/pre>/.exec(dom)![1]!.replace(/&quot;/g, '"')) as Record<string, number>;
    expect(Object.keys(widest).sort()).toEqual(Object.keys(pages).sort());
    for (const [name, right] of Object.entries(widest)) {
      expect(right, `${name}: widest element ends at ${right}px`).toBeGreaterThan(300);
      expect(right, `${name}: widest element ends at ${right}px`).toBeLessThanOrEqual(PHONE.width);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(dir, 'shot.html');
    writeFileSync(shot, harness({ 'firing-outage': pages['firing-outage']! }, false));
    chromium([`--screenshot=${join(ARTIFACTS, 'firing-outage-phone.png')}`, `file://${shot}`]);
    expect(existsSync(join(ARTIFACTS, 'firing-outage-phone.png'))).toBe(true);
  }, 120_000);
});
