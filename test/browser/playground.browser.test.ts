import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '../support/chromium';
import { createExampleHost } from '../support/example-host';
import { scaled } from '../support/time-scale';

/**
 * The playground in a real browser (Debian's Chromium through playwright-core), as a newcomer
 * uses it: the home page, sign in as alice, then the web flow, the device flow and client
 * credentials step by step, checking what each step shows went over the wire. Every step is
 * saved as a full-page screenshot in test-artifacts/screenshots/playground-*.png.
 */
const TIMEOUT = scaled(120_000);
const MASKED_ACCESS_TOKEN = /eoa_••••••••[0-9A-Za-z]{4}/;

describe('the playground in Chromium', () => {
  /** The example provider's URL (its issuer). */
  let baseUrl = '';
  let browser: Browser | null = null;
  let context: BrowserContext;
  let page: Page;
  let shot = 0;
  const pageErrors: string[] = [];

  function screenshotPath(name: string): string {
    shot += 1;
    return join(SCREENSHOTS, `playground-${String(shot).padStart(2, '0')}-${name}.png`);
  }

  /** A full-page screenshot. */
  async function screenshot(name: string, on: Page = page): Promise<void> {
    await on.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  /** A screenshot of one step's section, legible on its own. */
  async function stepShot(name: string, id: string): Promise<void> {
    await page.locator(`#${id}`).screenshot({ path: screenshotPath(name) });
  }

  /** Clicks a step's button and waits for the page it redirects back to. */
  async function runStep(button: string): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.click(button)]);
  }

  /** The text of one step's section as shown. */
  async function stepText(id: string): Promise<string> {
    return (await page.textContent(`#${id}`)) ?? '';
  }

  function watch(on: Page): void {
    // CSP violations and script errors surface here; a page that needs inline script would show one.
    on.on('console', (message) => {
      // Failed loads are judged by the response listener below, which sees their URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        pageErrors.push(`${on.url()}: ${message.text()}`);
    });
    // The library's own pages link no icon, so the browser's guess at /favicon.ico may 404.
    on.on('response', (response) => {
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
        pageErrors.push(`${response.status()} ${response.url()}`);
    });
    on.on('pageerror', (error) => pageErrors.push(`${on.url()}: ${error.message}`));
  }

  beforeAll(async () => {
    browser = await launchChromium();
    for (const file of readdirSync(SCREENSHOTS)) {
      if (file.startsWith('playground-')) rmSync(join(SCREENSHOTS, file));
    }
    // The issuer names the real port: the host listens first, then builds the app.
    baseUrl = (await createExampleHost({ listen: true })).issuer;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch(page);
  }, TIMEOUT);

  it(
    'opens on a home page that explains the app, then signs in as alice',
    async () => {
      await page.goto(`${baseUrl}/`);
      const home = (await page.textContent('main')) ?? '';
      expect(home).toContain('became an OAuth 2.0 provider');
      for (const credential of ['alice', 'alice-pass', 'bob', 'bob-pass']) expect(home).toContain(credential);
      await screenshot('home');

      await Promise.all([page.waitForNavigation(), page.click('#open-playground')]);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=username]', 'alice');
      await page.fill('input[name=password]', 'alice-pass');
      await screenshot('login');
      await Promise.all([page.waitForURL(`${baseUrl}/playground`), page.click('button[type=submit]')]);
      expect(await page.textContent('h1')).toBe('OAuth playground');
      await screenshot('overview');

      await page.check('#kind-confidential');
      await runStep('#use-client');
      const client = (await page.textContent('table.clients')) ?? '';
      expect(client).toContain('confidential');
      expect(client).toContain('registered for you by the playground');
      expect(await page.textContent('table.clients .secret.masked')).toMatch(/^eos_••••••••/);
      await screenshot('overview-confidential-client');
    },
    TIMEOUT,
  );

  it(
    'runs the web flow: the authorization request, consent, the callback and the token request',
    async () => {
      await page.goto(`${baseUrl}/playground/web`);
      expect(await page.isChecked('#web-scope-user')).toBe(true);
      await page.check('#web-scope-public-repo');
      await runStep('#build-authorization-url');
      const request = await stepText('step-authorize');
      expect(request).toContain(`GET ${baseUrl}/.well-known/oauth-authorization-server`);
      const url = new URL(
        ((await page.textContent('#authorization-url')) ?? '').replace(/^GET /, '').replace(/Copy$/, ''),
      );
      expect(url.pathname).toBe('/oauth/authorize');
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('redirect_uri')).toBe(`${baseUrl}/playground/callback`);
      expect(url.searchParams.get('scope')).toBe('user public_repo');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(request).toMatch(/code_verifier\s*••••••••/);
      await stepShot('web-1-authorization-request', 'step-authorize');

      await Promise.all([page.waitForNavigation(), page.click('#open-consent')]);
      expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
      expect(await page.textContent('h1')).toContain('OAuth playground (confidential)');
      await screenshot('web-2-consent');
      await Promise.all([
        page.waitForURL(/\/playground\/web#step-callback$/),
        page.click('button[value=approve]'),
      ]);

      const callback = await stepText('step-callback');
      expect(callback).toContain('GET /playground/callback?code=eoc_••••••••');
      expect(callback).toContain(`state${url.searchParams.get('state')}`);
      expect(callback).toContain(`iss${baseUrl}`);
      expect(await page.locator('#step-callback li.ok').count()).toBe(3);
      expect(await page.locator('#step-callback li.fail').count()).toBe(0);
      await stepShot('web-3-callback', 'step-callback');

      await runStep('#send-token-request');
      const token = await stepText('step-token');
      expect(token).toContain(`POST ${baseUrl}/oauth/token`);
      expect(token).toContain('authorization: Basic ••••••••');
      expect(token).toContain('grant_type=authorization_code');
      expect(token).toContain('code=eoc_••••••••');
      expect(token).toContain('code_verifier=••••••••');
      expect(token).toContain(`redirect_uri=${encodeURIComponent(`${baseUrl}/playground/callback`)}`);
      expect(token).toContain('HTTP/1.1 200 OK');
      expect(token).toMatch(/cache-control: no-store/i);
      expect(token).toMatch(MASKED_ACCESS_TOKEN);
      expect(token).toMatch(/"refresh_token": "eor_••••••••/);
      expect(token).toContain('"scope": "user public_repo"');
      await stepShot('web-4-token', 'step-token');
    },
    TIMEOUT,
  );

  it(
    'calls the API, introspects, refreshes with rotation, revokes and detects the replay',
    async () => {
      await runStep('#call-api');
      const api = await stepText('step-api');
      expect(api).toContain(`GET ${baseUrl}/api/user`);
      expect(api).toMatch(/authorization: Bearer eoa_••••••••/);
      expect(api).toContain('x-oauth-scopes: user, public_repo');
      expect(api).toContain('"login": "alice"');
      expect(api).toContain(`GET ${baseUrl}/api/repos`);
      expect(api).toContain('"name": "hello-world"');
      await stepShot('web-5-api', 'step-api');

      await runStep('#introspect');
      const introspection = await stepText('step-introspect');
      expect(introspection).toContain(`POST ${baseUrl}/oauth/introspect`);
      expect(introspection).toContain('"active": true');
      expect(introspection).toContain('"username": "alice"');
      await stepShot('web-6-introspect', 'step-introspect');

      await runStep('#refresh');
      const refresh = await stepText('step-refresh');
      expect(refresh).toContain('grant_type=refresh_token');
      expect(refresh).toContain('Rotation: the answer carries a new refresh token');
      const [before, after] = await page.locator('#step-refresh .rotation code').allTextContents();
      expect(before).toMatch(/^eor_••••••••/);
      expect(after).toMatch(/^eor_••••••••/);
      expect(after).not.toBe(before);
      await stepShot('web-7-refresh', 'step-refresh');

      await runStep('#revoke');
      const revoke = await stepText('step-revoke');
      expect(revoke).toContain(`POST ${baseUrl}/oauth/revoke`);
      expect(revoke).toContain('token_type_hint=access_token');
      expect(revoke).toContain('Introspection before: the token is active');
      expect(revoke).toContain('Introspection after: the token is not active');
      expect(revoke).toContain('HTTP/1.1 401 Unauthorized');
      expect(revoke).toMatch(/www-authenticate: Bearer .*error="invalid_token"/i);
      await stepShot('web-8-revoke', 'step-revoke');

      await runStep('#replay');
      const replay = await stepText('step-replay');
      expect(replay).toContain('Replay of the replaced refresh token: refused with invalid_grant');
      expect(replay).toContain('Refresh with the current refresh token: refused with invalid_grant');
      expect(replay).toContain('The replay revoked the whole grant');
      expect(await page.locator('#step-replay li.fail').count()).toBe(0);
      await stepShot('web-9-replay', 'step-replay');
      await screenshot('web-flow-complete');
    },
    TIMEOUT,
  );

  it(
    'shows the secrets only when asked, with copy buttons from its own script',
    async () => {
      await runStep('#toggle-secrets');
      const revealed = (await page.locator('#step-token .secret.revealed').allTextContents()).join(' ');
      expect(revealed).toMatch(/eoa_[0-9A-Za-z]{38}/);
      expect(await page.locator('button.copy').count()).toBeGreaterThan(5);
      expect(await page.getAttribute('html', 'data-enhanced')).toBe('true');
      await stepShot('web-secrets-shown', 'step-token');
      await runStep('#toggle-secrets');
      expect(await page.locator('.secret.revealed').count()).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'runs the device flow with the public client: the code, pending, approval in a second tab, tokens',
    async () => {
      await page.goto(`${baseUrl}/playground`);
      await page.check('#kind-public');
      await runStep('#use-client');
      await page.goto(`${baseUrl}/playground/device`);
      await runStep('#start-device-flow');
      const start = await stepText('step-start');
      expect(start).toContain(`POST ${baseUrl}/oauth/device/code`);
      expect(start).toMatch(/client_id=[0-9a-f]{32}/);
      expect(start).toMatch(/"device_code": "eod_••••••••/);
      const userCode = (await page.textContent('#user-code')) ?? '';
      expect(start).toContain(`"user_code": "${userCode}"`);
      expect(await page.getAttribute('#verification-uri', 'href')).toBe(`${baseUrl}/oauth/device`);
      await stepShot('device-1-start', 'step-start');
      await stepShot('device-2-user-code', 'step-enter');

      await runStep('#poll');
      expect(await stepText('step-poll')).toContain('"error": "authorization_pending"');
      await stepShot('device-3-pending', 'step-poll');

      const complete = (await page.getAttribute('#verification-uri-complete', 'href')) ?? '';
      const tab = await context.newPage();
      watch(tab);
      await tab.goto(complete);
      expect(await tab.textContent('h1')).toContain('OAuth playground (public, PKCE)');
      await screenshot('device-4-verification-consent', tab);
      await Promise.all([tab.waitForNavigation(), tab.click('button[value=approve]')]);
      expect(await tab.textContent('h1')).toBe('Device connected');
      await screenshot('device-5-connected', tab);
      await tab.close();

      await runStep('#poll');
      const poll = await stepText('step-poll');
      expect(poll).toContain('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code');
      expect(poll).toContain('HTTP/1.1 200 OK');
      expect(poll).toMatch(MASKED_ACCESS_TOKEN);
      expect(poll).toContain('The user approved');
      await stepShot('device-6-tokens', 'step-poll');

      await runStep('#device-call-api');
      const api = await stepText('step-device-api');
      expect(api).toContain('HTTP/1.1 200 OK');
      expect(api).toContain('"login": "alice"');
      await stepShot('device-7-api', 'step-device-api');
      await screenshot('device-flow-complete');
    },
    TIMEOUT,
  );

  it(
    'runs client credentials with the machine scope ci:status and reports a commit status',
    async () => {
      await page.goto(`${baseUrl}/playground/client-credentials`);
      expect(await page.isChecked('#cc-scope-ci-status')).toBe(true);
      await runStep('#cc-token');
      const token = await stepText('step-cc-token');
      expect(token).toContain('authorization: Basic ••••••••');
      expect(token).toContain('grant_type=client_credentials');
      expect(token).toContain('scope=ci%3Astatus');
      expect(token).toContain('"scope": "ci:status"');
      expect(token).toMatch(MASKED_ACCESS_TOKEN);
      // The token answer itself (the metadata folded above it lists the refresh_token grant).
      expect(await page.locator('#step-cc-token > .exchange').textContent()).not.toContain('refresh_token');
      expect(token).toContain('No refresh token');
      await stepShot('client-credentials-1-token', 'step-cc-token');

      await runStep('#cc-api');
      const api = await stepText('step-cc-api');
      expect(api).toContain(`POST ${baseUrl}/api/statuses`);
      expect(api).toContain('HTTP/1.1 201 Created');
      expect(api).toContain('"context": "ci/playground"');
      expect(api).toContain('HTTP/1.1 403 Forbidden');
      expect(api).toContain('This token has no user: it was issued to a client acting on its own behalf');
      await stepShot('client-credentials-2-api', 'step-cc-api');
      await screenshot('client-credentials-complete');

      expect(pageErrors).toEqual([]);
    },
    TIMEOUT,
  );
});
