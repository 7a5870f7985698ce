import { join } from 'node:path';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '../support/chromium';
import { createExampleHost } from '../support/example-host';
import * as flows from '../support/flows';
import { listen } from '../support/listen';
import { scaled } from '../support/time-scale';
import { UserAgent } from '../support/user-agent';

/**
 * The settings pages in a real browser (Debian's Chromium driven by playwright-core): alice
 * registers an application through the pages, runs the authorization code flow to a local
 * callback server, sees and revokes the authorization, then creates, uses and revokes a personal
 * access token. Every page visited is saved as a full-page screenshot in test-artifacts/.
 */
const TIMEOUT = scaled(60_000);

describe('settings pages in Chromium', () => {
  let browser: Browser | null = null;
  /** The client's HTTP library. */
  let api: UserAgent;
  let page: Page;
  let providerUrl = '';
  let callbackUrl = '';
  const received: { code: string | null; state: string | null }[] = [];
  let shot = 0;
  const app = { clientId: '', secret: '' };
  let accessToken = '';

  /** A full-page screenshot, numbered in the order the pages were visited. */
  async function screenshot(name: string): Promise<void> {
    shot += 1;
    await page.screenshot({
      path: join(SCREENSHOTS, `${String(shot).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  }

  async function apiUser(token: string): Promise<number> {
    return (await flows.callApi(api, '/api/user', token)).status;
  }

  beforeAll(async () => {
    // The issuer names the real port: the host listens first, then builds the app.
    providerUrl = (await createExampleHost({ listen: true })).issuer;
    api = new UserAgent(providerUrl);

    const client = express();
    client.get('/callback', (req, res) => {
      const value = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : null);
      received.push({ code: value('code'), state: value('state') });
      res.type('html').send('<!doctype html><title>Client callback</title><h1>Client callback received</h1>');
    });
    callbackUrl = `${(await listen(client)).url}/callback`;

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
  }, TIMEOUT);

  it(
    'logs in and registers an application, showing its secret once',
    async () => {
      await page.goto(`${providerUrl}/settings/applications`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=username]', 'alice');
      await page.fill('input[name=password]', 'alice-pass');
      await screenshot('login');
      await page.click('button[type=submit]');
      await page.waitForURL(`${providerUrl}/settings/applications`);
      await screenshot('applications-empty');

      await page.click('text=New application');
      await page.waitForURL(`${providerUrl}/settings/applications/new`);
      await page.fill('#name', 'Browser test app');
      await page.fill('#homepage_url', 'https://client.example');
      await page.fill('#redirect_uris', `${callbackUrl}#fragment`);
      await page.check('#scopes-repo');
      await page.check('#scopes-user');
      await screenshot('new-application');
      await page.click('button:has-text("Register application")');
      await page.waitForSelector('#redirect_uris-error');
      expect(await page.textContent('#redirect_uris-error')).toContain('must not contain a fragment');
      expect(await page.inputValue('#name')).toBe('Browser test app');
      expect(await page.isChecked('#scopes-repo')).toBe(true);
      await screenshot('new-application-error');

      await page.fill('#redirect_uris', callbackUrl);
      await page.click('button:has-text("Register application")');
      await page.waitForSelector('#client-secret');
      app.clientId = (await page.textContent('#client-id')) ?? '';
      app.secret = (await page.textContent('#client-secret')) ?? '';
      expect(app.clientId).toMatch(/^[0-9a-f]{32}$/);
      expect(app.secret.length).toBeGreaterThan(30);
      expect(await page.textContent('.once')).toContain('shown only this once');
      await screenshot('application-created');

      await page.click('text=← OAuth applications');
      await page.click('text=Browser test app');
      expect(await page.locator('#client-secret').count()).toBe(0);
      expect(await page.content()).not.toContain(app.secret);
      await screenshot('application-show');
    },
    TIMEOUT,
  );

  it(
    'runs the authorization code flow in the browser and calls the API with the token',
    async () => {
      const authorize = new URL('/oauth/authorize', providerUrl);
      authorize.search = new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: callbackUrl,
        response_type: 'code',
        scope: 'repo',
        state: 'xyz',
      }).toString();
      await page.goto(authorize.href);
      expect(await page.textContent('h1')).toContain('Browser test app');
      await screenshot('consent');
      await page.click('button[value=approve]');
      await page.waitForURL((url) => url.href.startsWith(callbackUrl));
      await screenshot('client-callback');

      const landed = new URL(page.url());
      expect(landed.searchParams.get('state')).toBe('xyz');
      const code = landed.searchParams.get('code') ?? '';
      expect(received).toEqual([{ code, state: 'xyz' }]);

      const response = await flows.exchange(
        api,
        { clientId: app.clientId, clientSecret: app.secret },
        { code, redirectUri: callbackUrl },
      );
      expect(response.status).toBe(200);
      expect(response.body.scope).toBe('repo');
      accessToken = String(response.body.access_token);
      expect(await apiUser(accessToken)).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'lists the authorized application and revokes it',
    async () => {
      await page.goto(`${providerUrl}/settings/authorizations`);
      const row = page.locator('tr', { hasText: 'Browser test app' });
      expect(await row.textContent()).toContain('Full control of your repositories');
      await screenshot('authorizations');
      await row.locator('button:has-text("Revoke")').click();
      await page.waitForURL(`${providerUrl}/settings/authorizations?notice=revoked`);
      expect(await page.textContent('.notice')).toContain('Access revoked');
      expect(await page.locator('tr', { hasText: 'Browser test app' }).count()).toBe(0);
      await screenshot('authorizations-revoked');
      expect(await apiUser(accessToken)).toBe(401);
    },
    TIMEOUT,
  );

  it(
    'creates a personal access token, shows it once, and revokes it',
    async () => {
      await page.goto(`${providerUrl}/settings/tokens`);
      await screenshot('tokens-empty');
      await page.fill('#name', 'deploy script');
      await page.check('#scopes-user');
      await page.check('#scopes-gist');
      await page.selectOption('#expiry', '90');
      await page.click('button:has-text("Generate token")');
      await page.waitForSelector('#new-token');
      const token = (await page.textContent('#new-token')) ?? '';
      expect(token.length).toBeGreaterThan(30);
      await screenshot('token-created');
      expect(await apiUser(token)).toBe(200);

      await page.goto(`${providerUrl}/settings/tokens`);
      const row = page.locator('tr', { hasText: 'deploy script' });
      expect(await row.textContent()).toContain('gist');
      expect(await page.content()).not.toContain(token);
      await screenshot('tokens-list');
      await row.locator('button:has-text("Revoke")').click();
      await page.waitForURL(`${providerUrl}/settings/tokens?notice=revoked`);
      expect(await page.locator('tr', { hasText: 'deploy script' }).count()).toBe(0);
      await screenshot('token-revoked');
      expect(await apiUser(token)).toBe(401);
    },
    TIMEOUT,
  );
});
