import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (TESTING.md): the browser tests download no browser of their own. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where the browser tests keep their screenshots (gitignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

/** Chromium, headless; a missing browser fails the test with how to install it (it never skips). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`this test drives Debian's Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * Collects into `errors` whatever a page does wrong: a failed load (an HTTP
 * status of 400 or more, except the `expected` ones), a console error (a
 * CSP violation is one) and an uncaught exception.
 */
export function collectPageErrors(page: Page, errors: string[], expected: readonly number[] = []): void {
  page.on('response', (r) => r.status() >= 400 && !expected.includes(r.status()) && errors.push(`${r.status()} ${r.url()}`));
  // Chromium logs each failed load as well; the response listener judges those.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
}
