/**
 * The browser suites' browser: Debian's Chromium (`apt-get install chromium`) driven by
 * playwright-core, which cannot download one here. A missing Chromium fails the suite; it is
 * never skipped. Screenshots go to test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { closeWhenDone } from './cleanup';

const CHROMIUM = '/usr/bin/chromium';

/** Where the browser suites save their screenshots (created if missing). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

/**
 * Headless Chromium with nothing running in the background (no updates, sync or QUIC); closed
 * after the test, or after the file when launched in `beforeAll` (the kit's cleanup).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium" (the browser suite is never skipped)`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  closeWhenDone(() => browser.close());
  return browser;
}
