import { join } from 'node:path';
import express from 'express';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '../support/chromium';
import { createExampleHost } from '../support/example-host';
import * as flows from '../support/flows';
import { listen } from '../support/listen';
import { scaled } from '../support/time-scale';
import { UserAgent } from '../support/user-agent';

/**
 * Fine-grained access (issue 14) in a real browser (Debian's Chromium through playwright-core):
 * alice signs in, an application asks for `repo`, she chooses "only these" and ticks `notes`; the
 * token reads `notes` and gets 404 on `plans`; the pages offer her nothing beyond her own
 * repositories (and, once restricted, nothing beyond what she kept); then she narrows the
 * authorization on the authorized applications page and the live token loses `notes` at once.
 * Every page visited is saved as a screenshot in test-artifacts/.
 */
const TIMEOUT = scaled(60_000);

describe('fine-grained access in Chromium', () => {
  let browser: Browser | null = null;
  let page: Page;
  /** The client's HTTP library, and alice's own session for registering the app. */
  let api: UserAgent;
  let providerUrl = '';
  let callbackUrl = '';
  let client: flows.RegisteredClient;
  let accessToken = '';
  let shot = 0;

  async function screenshot(name: string): Promise<void> {
    shot += 1;
    await page.screenshot({
      path: join(SCREENSHOTS, `fine-grained-${String(shot).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  }

  /** The `value` of every input `inputs` finds, in page order. */
  async function valuesOf(inputs: Locator): Promise<(string | null)[]> {
    const values: (string | null)[] = [];
    for (let index = 0; index < (await inputs.count()); index += 1) {
      values.push(await inputs.nth(index).getAttribute('value'));
    }
    return values;
  }

  /** What the API answers the token for one of alice's repositories. */
  async function repoStatus(name: string): Promise<number> {
    return (await flows.callApi(api, `/api/repos/alice/${name}`, accessToken)).status;
  }

  beforeAll(async () => {
    providerUrl = (await createExampleHost({ listen: true })).issuer;
    api = new UserAgent(providerUrl);
    const callback = express();
    callback.get('/callback', (_req, res) => {
      res.type('html').send('<!doctype html><title>Client callback</title><h1>Client callback received</h1>');
    });
    callbackUrl = `${(await listen(callback)).url}/callback`;
    const owner = new UserAgent(providerUrl);
    await flows.login(owner, 'alice', 'alice-pass');
    client = await flows.registerViaApi(owner, { name: 'Repo reader', redirectUris: [callbackUrl] });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await context.newPage();
  }, TIMEOUT);

  it(
    'alice signs in and grants repo on notes only: the token reads notes, plans is 404',
    async () => {
      const authorize = new URL('/oauth/authorize', providerUrl);
      authorize.search = new URLSearchParams({
        client_id: client.clientId,
        redirect_uri: callbackUrl,
        response_type: 'code',
        scope: 'repo',
        state: 'fg',
      }).toString();
      await page.goto(authorize.href);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=username]', 'alice');
      await page.fill('input[name=password]', 'alice-pass');
      await page.click('button[type=submit]');
      await page.waitForURL((url) => url.pathname === '/oauth/authorize');

      // "All current and future repositories" is preselected; one checkbox per repository of hers.
      const all = page.locator('input[type=radio][name="resources:repo"][value=all]');
      expect(await all.isChecked()).toBe(true);
      const boxes = page.locator('fieldset.resource-choice input[type=checkbox]');
      const values = await valuesOf(boxes);
      expect(values).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);
      await screenshot('consent-all');

      await page.locator('label:has-text("Only these repositories")').click();
      await page.locator('input[type=checkbox][value="alice/notes"]').check();
      expect(await page.locator('input[type=radio][value=selected]').isChecked()).toBe(true);
      await screenshot('consent-only-notes');
      await page.click('button[value=approve]');
      await page.waitForURL((url) => url.href.startsWith(callbackUrl));
      const landed = new URL(page.url());
      expect(landed.searchParams.get('state')).toBe('fg');

      const tokens = await flows.exchange(api, client, {
        code: landed.searchParams.get('code') ?? '',
        redirectUri: callbackUrl,
      });
      expect(tokens.status).toBe(200);
      expect(tokens.body.authorization_details).toEqual([
        { type: 'repository', identifier: 'alice/notes', actions: ['read', 'write'] },
      ]);
      accessToken = String(tokens.body.access_token);
      expect(await repoStatus('notes')).toBe(200);
      expect(await repoStatus('hello-world')).toBe(200);
      expect(await repoStatus('plans')).toBe(404);
    },
    TIMEOUT,
  );

  it(
    'the authorizations page shows notes only, offers nothing more, and narrowing it cuts the live token off notes',
    async () => {
      await page.goto(`${providerUrl}/settings/authorizations`);
      const row = page.locator('tr', { hasText: 'Repo reader' });
      expect(await row.locator('.resource-access').textContent()).toBe('repo: alice/notes');
      await row.locator('details.narrow summary').click();
      await screenshot('authorizations-narrow-form');
      // Restricted now: no "all" to go back to, and only what she kept to keep.
      const form = row.locator('details.narrow form');
      expect(await form.locator('input[type=radio]').count()).toBe(0);
      const kept = await valuesOf(form.locator('input[type=checkbox]'));
      expect(kept).toEqual(['alice/notes']);

      await form.locator('input[type=checkbox][value="alice/notes"]').uncheck();
      await form.locator('button:has-text("Save")').click();
      await page.waitForURL(`${providerUrl}/settings/authorizations?notice=narrowed`);
      expect(await page.textContent('.notice')).toContain('Access narrowed');
      expect(
        await page.locator('tr', { hasText: 'Repo reader' }).locator('.resource-access').textContent(),
      ).toBe('repo: none of your repositories');
      await screenshot('authorizations-narrowed');

      // The same access token, not refreshed: notes is gone, the public repository still reads.
      expect(await repoStatus('notes')).toBe(404);
      expect(await repoStatus('plans')).toBe(404);
      expect(await repoStatus('hello-world')).toBe(200);
    },
    TIMEOUT,
  );
});
