import { join } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '../support/chromium';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import { HOST_APPLICATION } from '../support/fixtures';
import { scaled } from '../support/time-scale';

/**
 * The example's admin pages, theme and German switch in Chromium (DESIGN.md "Admin",
 * "Languages"): alice sees every application, host-created ones included, and revokes a user's
 * token; bob gets the 403 page; the language link turns the library's pages German
 * (`<html lang="de">`); the theme's stylesheet applies; no page logs a CSP violation.
 */
const TIMEOUT = scaled(60_000);

describe('admin pages, theme and languages in Chromium', () => {
  let browser: Browser | null = null;
  let host: ExampleHost;
  let url = '';
  const consoleProblems: string[] = [];

  async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page }> {
    if (browser === null) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(message.text());
    });
    await page.goto(`${url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', `${username}-pass`);
    await page.click('button[type=submit]');
    await page.waitForURL(`${url}/`);
    return { context, page };
  }

  beforeAll(async () => {
    host = await createExampleHost({ listen: true });
    url = host.issuer;
    browser = await launchChromium();
  }, TIMEOUT);

  it(
    "alice sees every application and revokes bob's token; bob gets 403",
    async () => {
      // Not the first application: the example's configured first-party app is stored at start.
      const hosted = await host.provider.applications.create(HOST_APPLICATION, null);
      const bobToken = await host.provider.personalTokens.create('2', 'bob laptop', ['gist'], null);
      const alice = await signedIn('alice');
      await alice.page.goto(`${url}/admin`);
      await alice.page.waitForURL(`${url}/admin/applications`);
      expect(await alice.page.textContent('main')).toContain('Host CI');
      await alice.page.screenshot({ path: join(SCREENSHOTS, 'admin-applications.png'), fullPage: true });
      await alice.page.click('text=Host CI');
      expect(await alice.page.textContent('#client-id')).toBe(hosted.application.clientId);
      await alice.page.goto(`${url}/admin/users`);
      await alice.page.fill('#id', '2');
      await alice.page.click('button[type=submit]');
      await alice.page.waitForURL(`${url}/admin/users/2`);
      expect(await alice.page.textContent('main')).toContain('bob laptop');
      await alice.page.screenshot({ path: join(SCREENSHOTS, 'admin-user.png'), fullPage: true });
      await alice.page.click(`form[action$="/tokens/${bobToken.record.id}/revoke"] button`);
      await alice.page.waitForURL(/notice=token-revoked/);
      expect(await alice.page.textContent('.notice')).toBe('Token revoked.');
      expect(await host.provider.tokens.findLiveToken(bobToken.token, ['personal'])).toBeNull();

      const bob = await signedIn('bob');
      const refused = await bob.page.goto(`${url}/admin/applications`);
      expect(refused?.status()).toBe(403);
      expect(await bob.page.textContent('h1')).toBe('Forbidden');
      await bob.context.close();
      await alice.context.close();
    },
    TIMEOUT,
  );

  it(
    'the language switch turns the pages German, and the theme stylesheet applies',
    async () => {
      const alice = await signedIn('alice');
      await alice.page.goto(`${url}/settings/tokens`);
      expect(await alice.page.getAttribute('html', 'lang')).toBe('en');
      const headerColor = await alice.page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor",
      );
      expect(headerColor).toBe('rgb(36, 41, 47)');
      await alice.page.click('a[hreflang=de]');
      await alice.page.waitForURL(`${url}/settings/tokens`);
      expect(await alice.page.getAttribute('html', 'lang')).toBe('de');
      expect(await alice.page.textContent('h1')).toBe('Persönliche Zugriffstokens');
      await alice.page.screenshot({ path: join(SCREENSHOTS, 'settings-tokens-de.png'), fullPage: true });
      await alice.page.goto(`${url}/admin/applications`);
      expect(await alice.page.textContent('h1')).toBe('Alle Anwendungen');
      await alice.page.click('a[hreflang=en]');
      await alice.page.waitForURL(`${url}/admin/applications`);
      expect(await alice.page.textContent('h1')).toBe('All applications');
      await alice.context.close();
    },
    TIMEOUT,
  );

  it('logged no Content-Security-Policy violation, and no console error but the refused and missing resources', () => {
    // Bob's 403 and Chromium's own /favicon.ico request are the only failed loads.
    const others = consoleProblems.filter(
      (text) => !/^Failed to load resource: the server responded with a status of (403|404)/.test(text),
    );
    expect(others).toEqual([]);
    expect(consoleProblems.filter((text) => /Content Security Policy|Refused to/.test(text))).toEqual([]);
  });
});
