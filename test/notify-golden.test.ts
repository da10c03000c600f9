import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitSms } from '../src/notify/channels/sms-parts.js';
import { render } from '../src/notify/render.js';
import { renderStormSummary } from '../src/notify/render-storm.js';
import { FIRED_AT, MESSAGES, PUBLIC, SMS_MESSAGES, stormBatches } from './helpers/message-fixtures.js';

/**
 * What the on-call engineer reads, pinned: every kind of message rendered on
 * a fixed clock with fixed ids and compared with test/golden/. After a
 * deliberate change of wording, regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/notify-golden.test.ts` and read the
 * diff as the person woken at 3 a.m. would.
 */
const GOLDEN = resolve(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function matchesGolden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`${path} is missing: run UPDATE_GOLDEN=1 npx vitest run test/notify-golden.test.ts`);
  expect(actual, `${file} differs from the golden file; if intended, regenerate with UPDATE_GOLDEN=1`).toBe(readFileSync(path, 'utf8'));
}

/** The subject line first, then the text body: the email as a mail client lists and opens it. */
const asText = (subject: string, text: string) => `Subject: ${subject}\n\n${text}\n`;

describe('every kind of message reads as its golden file', () => {
  for (const [name, m] of Object.entries(MESSAGES)) {
    it(`${name}: subject, text and HTML`, () => {
      const r = render(m.batch, { links: m.links, now: m.now });
      matchesGolden(`${name}.txt`, asText(r.subject, r.text));
      matchesGolden(`${name}.html`, r.html);
    });
  }

  it('storm summary: subject, text, HTML and SMS', () => {
    const r = renderStormSummary(stormBatches(), 60_000, { links: PUBLIC, now: FIRED_AT });
    matchesGolden('storm-summary.txt', asText(r.subject, r.text));
    matchesGolden('storm-summary.html', r.html);
    matchesGolden('storm-summary.sms.txt', `${r.sms}\n`);
  });

  it('every SMS, with its alphabet and segment count as the SMPP channel would send it', () => {
    const lines = Object.entries({ ...MESSAGES, ...SMS_MESSAGES }).map(([name, m]) => {
      const sms = render(m.batch, { links: m.links, now: m.now }).sms;
      const { dataCoding, parts } = splitSms(sms, 0);
      return `${name} [${dataCoding === 0 ? 'GSM-7' : 'UCS-2'}, ${[...sms].length} chars, ${parts.length} segment${parts.length > 1 ? 's' : ''}]\n${sms}\n`;
    });
    matchesGolden('sms.txt', lines.join('\n'));
  });
});
