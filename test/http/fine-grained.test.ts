/**
 * Issue 14 through HTTP on the example provider (every adapter): alice grants an app `repo` on
 * chosen repositories at consent, by RFC 9396 `authorization_details`, narrows it later on the
 * authorizations API, restricts a personal token, and chooses on the device page (RFC 8628) — and
 * the API answers accordingly.
 */
import { enterUserCode, pollDevice, requestDeviceCode } from '../support/device-flow';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import { consentPage, exchange, introspect, login, postDecision, refresh } from '../support/flows';
import { csrfToken, decodeEntities, hiddenFields } from '../support/html';
import { locationParams } from '../support/oauth';
import type { Answer, UserAgent } from '../support/user-agent';

const ISSUER = 'http://localhost:3000';
const REDIRECT = 'https://fine.example/cb';

let host: ExampleHost;

beforeEach(async () => {
  host = await createExampleHost({ issuer: ISSUER, sessionSecret: 'fine-grained-session-secret' });
});

async function alice(): Promise<UserAgent> {
  const browser = host.browser();
  await login(browser, 'alice', 'alice-pass');
  return browser;
}

async function registerApp(browser: UserAgent) {
  const answer = await browser.send('/settings/api/applications', {
    json: {
      name: 'Fine',
      homepage_url: 'https://fine.example',
      redirect_uris: [REDIRECT],
      confidential: true,
    },
  });
  expect(answer.status).toBe(201);
  return { clientId: String(answer.body.client_id), clientSecret: String(answer.body.client_secret) };
}

/** The checked radios and checkboxes of the consent form, as the browser would post them. */
function checkedInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [tag] of html.matchAll(/<input type="(?:radio|checkbox)"[^>]*>/g)) {
    if (!tag.includes(' checked')) continue;
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined && value !== undefined) fields[decodeEntities(name)] = decodeEntities(value);
  }
  return fields;
}

/** Every checkbox of the consent form: resource id → its field name. */
function checkboxes(html: string): Map<string, string> {
  const boxes = new Map<string, string>();
  for (const [tag] of html.matchAll(/<input type="checkbox"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined && value !== undefined) boxes.set(decodeEntities(value), decodeEntities(name));
  }
  return boxes;
}

function authorizeQuery(clientId: string, extra: Record<string, string>) {
  return { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, state: 's', ...extra };
}

/** Approves the consent page with `choice` posted, exchanges the code; the token response. */
async function approveAndExchange(
  browser: UserAgent,
  client: { clientId: string; clientSecret: string },
  page: Answer,
  fields: Record<string, string>,
  choice: Record<string, string>,
) {
  const approved = await postDecision(browser, { ...fields, ...choice }, 'approve');
  expect(approved.status).toBe(302);
  const code = locationParams(approved).get('code');
  expect(code).toBeTruthy();
  expect(page.status).toBe(200);
  const tokens = await exchange(host.browser(), client, { code: code ?? '', redirectUri: REDIRECT });
  expect(tokens.status).toBe(200);
  return tokens;
}

function api(path: string, token: unknown, options: { method?: string; json?: unknown } = {}) {
  return host.browser().send(path, { ...options, headers: { authorization: `Bearer ${String(token)}` } });
}

async function visibleRepos(token: unknown): Promise<string[]> {
  const answer = await api('/api/repos', token);
  expect(answer.status).toBe(200);
  return (answer.json as { owner: string; name: string }[]).map((repo) => `${repo.owner}/${repo.name}`);
}

/** alice grants `repo` on notes only, through the consent page's choice. */
async function grantRepoOnNotes(browser: UserAgent, client: { clientId: string; clientSecret: string }) {
  const { page, fields } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
  const boxes = checkboxes(page.text);
  const notes = boxes.get('alice/notes');
  expect(notes).toBeDefined();
  return approveAndExchange(browser, client, page, fields, {
    'resources:repo': 'selected',
    [notes ?? '']: 'alice/notes',
  });
}

describe('fine-grained access on the example provider', () => {
  it('the consent page offers all or only chosen repositories (all preselected), one checkbox per repository', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const { page } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
    expect([...checkboxes(page.text).keys()]).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);
    expect(checkedInputs(page.text)).toEqual({ 'resources:repo': 'all' });
    expect(page.text).toContain('All current and future repositories');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // German too.
    const german = await browser.send(
      `/oauth/authorize?${new URLSearchParams(authorizeQuery(client.clientId, { scope: 'repo' }))}`,
      { headers: { 'accept-language': 'de' } },
    );
    expect(german.text).toContain('Alle jetzigen und künftigen repositories');
  });

  it('alice grants repo on notes only: the app sees notes and hello-world, not plans; issues only on notes', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const tokens = await grantRepoOnNotes(browser, client);
    expect(tokens.body.authorization_details).toEqual([
      { type: 'repository', identifier: 'alice/notes', actions: ['read', 'write'] },
    ]);
    const token = tokens.body.access_token;
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    expect((await api('/api/repos/alice/notes', token)).status).toBe(200);
    expect((await api('/api/repos/alice/hello-world', token)).status).toBe(200);
    const plans = await api('/api/repos/alice/plans', token);
    expect(plans.status).toBe(404);
    const issue = await api('/api/repos/alice/notes/issues', token, {
      method: 'POST',
      json: { title: 'Bug' },
    });
    expect(issue.status).toBe(201);
    expect(issue.body).toEqual({ number: 1, title: 'Bug' });
    for (const other of ['alice/plans', 'alice/hello-world', 'bob/dotfiles']) {
      const denied = await api(`/api/repos/${other}/issues`, token, { method: 'POST', json: { title: 'x' } });
      expect(denied.status).toBe(404);
    }
  });

  it('an unrestricted grant behaves as before: every repository of alice, and no resource check fails', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const { page, fields } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
    const tokens = await approveAndExchange(browser, client, page, fields, checkedInputs(page.text));
    expect(tokens.body.authorization_details).toEqual([{ type: 'repository', actions: ['read', 'write'] }]);
    const token = tokens.body.access_token;
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);
    expect(
      (await api('/api/repos/alice/plans/issues', token, { method: 'POST', json: { title: 't' } })).status,
    ).toBe(201);
    // bob's repository is not alice's: the example's own check, not the selection, refuses it.
    expect(
      (await api('/api/repos/bob/dotfiles/issues', token, { method: 'POST', json: { title: 't' } })).status,
    ).toBe(404);
  });

  it('authorization_details pre-select the consent page and come back in the token response, introspection and token info', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const details = JSON.stringify([{ type: 'repository', identifier: 'alice/plans', actions: ['read'] }]);
    const { page, fields } = await consentPage(
      browser,
      authorizeQuery(client.clientId, { authorization_details: details }),
    );
    expect(checkedInputs(page.text)).toEqual({
      'resources:repo:read': 'selected',
      [checkboxes(page.text).get('alice/plans') ?? '']: 'alice/plans',
    });
    expect(fields.authorization_details).toBe(details);
    const tokens = await approveAndExchange(browser, client, page, fields, checkedInputs(page.text));
    expect(tokens.body.scope).toBe('repo:read');
    const granted = [{ type: 'repository', identifier: 'alice/plans', actions: ['read'] }];
    expect(tokens.body.authorization_details).toEqual(granted);
    const token = String(tokens.body.access_token);
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/plans']);
    const introspected = await introspect(host.browser(), client, token);
    expect(introspected.body).toMatchObject({ active: true, authorization_details: granted });
    const info = await api('/oauth/token/info', token);
    expect(info.body.authorization_details).toEqual(granted);
  });

  it('remembered consent covers a request for no more resources; one naming another resource asks again', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    await grantRepoOnNotes(browser, client);
    const again = await browser.send(
      `/oauth/authorize?${new URLSearchParams(authorizeQuery(client.clientId, { scope: 'repo' }))}`,
    );
    expect(again.status).toBe(302);
    const code = locationParams(again).get('code') ?? '';
    const tokens = await exchange(host.browser(), client, { code, redirectUri: REDIRECT });
    expect(await visibleRepos(tokens.body.access_token)).toEqual(['alice/hello-world', 'alice/notes']);
    const plans = JSON.stringify([{ type: 'repository', identifier: 'alice/plans', actions: ['write'] }]);
    const wider = await browser.send(
      `/oauth/authorize?${new URLSearchParams(authorizeQuery(client.clientId, { authorization_details: plans }))}`,
    );
    expect(wider.status).toBe(200);
  });

  it('a choice naming a resource alice does not have is refused (400), and nothing is issued', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const { fields } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
    const forged = await postDecision(
      browser,
      { ...fields, 'resources:repo': 'selected', 'resource:repo:0': 'bob/dotfiles' },
      'approve',
    );
    expect(forged.status).toBe(400);
    expect(forged.headers.location).toBeUndefined();
    expect(forged.text).toContain('a resource you do not have');
    // Not echoed: the id is the sender's text (audit finding 7).
    expect(forged.text).not.toContain('bob/dotfiles');
    const listed = await browser.send('/settings/api/authorizations');
    expect(listed.json).toEqual([]);
  });

  it('invalid authorization_details (unknown type, action, field, bad JSON) → invalid_authorization_details, on a page for a user-registered app (RFC 9700 §4.11.2)', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    for (const bad of [
      '[{"type":"payment","actions":["read"]}]',
      '[{"type":"repository","actions":["delete"]}]',
      '[{"type":"repository","actions":["read"],"locations":["x"]}]',
      '[{"type":"repository","actions":[]}]',
      '{"type":"repository"}',
      'not json',
    ]) {
      const answer = await browser.send(
        `/oauth/authorize?${new URLSearchParams(authorizeQuery(client.clientId, { authorization_details: bad }))}`,
      );
      // alice's own registration is unverified: its errors are a page with a way back, not a redirect.
      expect(answer.status).toBe(400);
      expect(answer.headers.location).toBeUndefined();
      expect(answer.text).toContain('invalid_authorization_details');
      // The error never repeats the sender's text (audit finding 7).
      expect(/<p class="error">.*?<\/p>/s.exec(answer.text)?.[0]).not.toMatch(/payment|delete|locations/);
    }
  });

  it('narrowing on the authorizations API takes effect on the live access and refresh tokens', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const { page, fields } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
    const tokens = await approveAndExchange(browser, client, page, fields, checkedInputs(page.text));
    const token = tokens.body.access_token;
    expect(await visibleRepos(token)).toHaveLength(3);
    const narrowed = await browser.send(`/settings/api/authorizations/${client.clientId}`, {
      method: 'PATCH',
      json: { resources: { repo: ['alice/notes'] } },
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.resources).toEqual({ repo: ['alice/notes'] });
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    expect((await api('/api/repos/alice/plans', token)).status).toBe(404);
    const refreshed = await refresh(host.browser(), client, String(tokens.body.refresh_token));
    expect(refreshed.status).toBe(200);
    expect(await visibleRepos(refreshed.body.access_token)).toEqual(['alice/hello-world', 'alice/notes']);
    // Never wider: a narrowing naming a repository the grant no longer has leaves none.
    const elsewhere = await browser.send(`/settings/api/authorizations/${client.clientId}`, {
      method: 'PATCH',
      json: { resources: { repo: ['alice/plans'] } },
    });
    expect(elsewhere.body.resources).toEqual({ repo: [] });
    expect(await visibleRepos(token)).toEqual(['alice/hello-world']);
    const foreign = await browser.send(`/settings/api/authorizations/${client.clientId}`, {
      method: 'PATCH',
      json: { resources: { repo: ['bob/dotfiles'] } },
    });
    expect(foreign.status).toBe(400);
  });

  it('refresh may narrow with authorization_details (RFC 9396 §6), never widen', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const tokens = await grantRepoOnNotes(browser, client);
    const refreshToken = String(tokens.body.refresh_token);
    const wider = await refresh(host.browser(), client, refreshToken, {
      authorization_details: JSON.stringify([
        { type: 'repository', identifier: 'alice/plans', actions: ['read'] },
      ]),
    });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_authorization_details');
    const narrower = await refresh(host.browser(), client, refreshToken, {
      authorization_details: JSON.stringify([
        { type: 'repository', identifier: 'alice/notes', actions: ['read'] },
      ]),
    });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('repo:read');
    expect(narrower.body.authorization_details).toEqual([
      { type: 'repository', identifier: 'alice/notes', actions: ['read'] },
    ]);
    const readOnly = narrower.body.access_token;
    expect(await visibleRepos(readOnly)).toEqual(['alice/hello-world', 'alice/notes']);
    expect(
      (await api('/api/repos/alice/notes/issues', readOnly, { method: 'POST', json: { title: 't' } })).status,
    ).toBe(403);
    // The rotated refresh token keeps what was granted.
    const next = await refresh(host.browser(), client, String(narrower.body.refresh_token));
    expect(next.body.authorization_details).toEqual([
      { type: 'repository', identifier: 'alice/notes', actions: ['read', 'write'] },
    ]);
  });

  it('a restricted personal token needs an expiry, only names alice’s repositories, and is enforced the same way', async () => {
    const browser = await alice();
    const noExpiry = await browser.send('/settings/api/tokens', {
      json: { name: 'ci', scopes: ['repo'], expires_in: null, resources: { repo: ['alice/notes'] } },
    });
    expect(noExpiry.status).toBe(400);
    expect(noExpiry.body.error_description).toContain('expires_in');
    const foreign = await browser.send('/settings/api/tokens', {
      json: { name: 'ci', scopes: ['repo'], expires_in: 3600, resources: { repo: ['bob/dotfiles'] } },
    });
    expect(foreign.status).toBe(400);
    const created = await browser.send('/settings/api/tokens', {
      json: { name: 'ci', scopes: ['repo'], expires_in: 3600, resources: { repo: ['alice/notes'] } },
    });
    expect(created.status).toBe(201);
    expect(created.body.resources).toEqual({ repo: ['alice/notes'] });
    const token = created.body.token;
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    expect((await api('/api/repos/alice/plans', token)).status).toBe(404);
    expect(
      (await api('/api/repos/alice/notes/issues', token, { method: 'POST', json: { title: 't' } })).status,
    ).toBe(201);
    expect(
      (await api('/api/repos/alice/plans/issues', token, { method: 'POST', json: { title: 't' } })).status,
    ).toBe(404);
  });

  it('"show more" lists the next page without JavaScript and keeps what was ticked', async () => {
    const browser = await alice();
    const personal = await browser.send('/settings/api/tokens', {
      json: { name: 'setup', scopes: ['repo'] },
    });
    for (let index = 0; index < 50; index += 1) {
      const made = await api('/api/repos', personal.body.token, {
        method: 'POST',
        json: { name: `repo-${String(index).padStart(2, '0')}` },
      });
      expect(made.status).toBe(201);
    }
    const client = await registerApp(browser);
    const { page, fields } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
    expect(checkboxes(page.text).size).toBe(50);
    expect(page.text).toContain('name="decision" value="more"');
    const first = checkboxes(page.text).get('alice/hello-world') ?? '';
    const more = await postDecision(
      browser,
      { ...fields, 'resources:repo': 'selected', [first]: 'alice/hello-world' },
      'more',
    );
    expect(more.status).toBe(200);
    expect(checkboxes(more.text).size).toBe(53);
    expect(checkedInputs(more.text)).toMatchObject({ 'resources:repo': 'selected' });
    expect(Object.values(checkedInputs(more.text))).toContain('alice/hello-world');
  });

  it('the metadata lists authorization_details_types_supported (RFC 9396 §10)', async () => {
    const metadata = await host.browser().send('/.well-known/oauth-authorization-server');
    expect(metadata.body.authorization_details_types_supported).toEqual(['repository']);
  });
});

describe('the device flow (RFC 8628) offers the same choice', () => {
  /** The device asks for `repo`; alice types its code and sees the consent page. */
  async function deviceConsent() {
    const browser = await alice();
    const client = await registerApp(browser);
    const device = await requestDeviceCode(host.browser(), client, 'repo');
    const page = await enterUserCode(browser, device.user_code);
    expect(page.status).toBe(200);
    return { browser, client, device, page };
  }

  it('alice chooses only notes on the device page: the device’s token sees notes and hello-world, not plans', async () => {
    const { browser, client, device, page } = await deviceConsent();
    expect([...checkboxes(page.text).keys()]).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);
    expect(checkedInputs(page.text)).toEqual({ 'resources:repo': 'all' });
    const approved = await browser.send('/oauth/device', {
      form: {
        ...hiddenFields(page.text),
        'resources:repo': 'selected',
        [checkboxes(page.text).get('alice/notes') ?? '']: 'alice/notes',
        decision: 'approve',
      },
    });
    expect(approved.status).toBe(200);
    const tokens = await pollDevice(host.browser(), client, device.device_code);
    expect(tokens.status).toBe(200);
    expect(tokens.body.authorization_details).toEqual([
      { type: 'repository', identifier: 'alice/notes', actions: ['read', 'write'] },
    ]);
    const token = tokens.body.access_token;
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    expect((await api('/api/repos/alice/plans', token)).status).toBe(404);
    // The refreshed token keeps the choice.
    const next = await refresh(host.browser(), client, String(tokens.body.refresh_token));
    expect(await visibleRepos(next.body.access_token)).toEqual(['alice/hello-world', 'alice/notes']);
  });

  it('left at "all", the device’s token sees every repository of alice, as before', async () => {
    const { browser, client, device, page } = await deviceConsent();
    const approved = await browser.send('/oauth/device', {
      form: { ...hiddenFields(page.text), ...checkedInputs(page.text), decision: 'approve' },
    });
    expect(approved.status).toBe(200);
    const tokens = await pollDevice(host.browser(), client, device.device_code);
    expect(tokens.body.authorization_details).toEqual([{ type: 'repository', actions: ['read', 'write'] }]);
    expect(await visibleRepos(tokens.body.access_token)).toEqual([
      'alice/hello-world',
      'alice/notes',
      'alice/plans',
    ]);
  });

  it('a device choice naming a repository alice does not have is refused, and the device is still pending', async () => {
    const { browser, client, device, page } = await deviceConsent();
    const forged = await browser.send('/oauth/device', {
      form: {
        ...hiddenFields(page.text),
        'resources:repo': 'selected',
        'resource:repo:0': 'bob/dotfiles',
        decision: 'approve',
      },
    });
    expect(forged.status).toBe(400);
    expect(forged.text).not.toContain('bob/dotfiles');
    expect((await pollDevice(host.browser(), client, device.device_code)).body.error).toBe(
      'authorization_pending',
    );
  });
});

describe('the settings pages (no JavaScript needed)', () => {
  /** The narrowing form of the one authorization on alice's page: its CSRF token and checkboxes. */
  async function authorizationsPage(browser: UserAgent) {
    const page = await browser.send('/settings/authorizations');
    expect(page.status).toBe(200);
    return { page, csrf: csrfToken(page.text), boxes: checkboxes(page.text) };
  }

  it('the authorizations page shows the selection per app and narrows it; the live token loses access at once', async () => {
    const browser = await alice();
    const client = await registerApp(browser);
    const { page, fields } = await consentPage(browser, authorizeQuery(client.clientId, { scope: 'repo' }));
    const tokens = await approveAndExchange(browser, client, page, fields, checkedInputs(page.text));
    const token = tokens.body.access_token;
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);

    const before = await authorizationsPage(browser);
    expect(before.page.text).toContain('All current and future repositories');
    expect(checkedInputs(before.page.text)).toEqual({ 'resources:repo': 'all' });
    expect([...before.boxes.keys()]).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);
    const action = `/settings/authorizations/${client.clientId}/narrow`;
    expect(before.page.text).toContain(`action="${action}"`);

    // Without the CSRF token: refused, nothing changes.
    const forged = await browser.send(action, {
      form: { 'resources:repo': 'selected', [before.boxes.get('alice/notes') ?? '']: 'alice/notes' },
    });
    expect(forged.status).toBe(403);
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes', 'alice/plans']);

    const narrowed = await browser.send(action, {
      form: {
        csrf_token: before.csrf,
        'resources:repo': 'selected',
        [before.boxes.get('alice/notes') ?? '']: 'alice/notes',
      },
    });
    expect(narrowed.status).toBe(303);
    expect(narrowed.headers.location).toBe('/settings/authorizations?notice=narrowed');
    // The same token, no refresh: plans is gone.
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    expect((await api('/api/repos/alice/plans', token)).status).toBe(404);

    // Now restricted: the page says so, offers only what is kept, and never "all" again.
    const after = await authorizationsPage(browser);
    expect(after.page.text).toContain('<code>repo</code>: alice/notes');
    expect([...after.boxes.keys()]).toEqual(['alice/notes']);
    expect(after.page.text).not.toContain('name="resources:repo" value="all"');
    expect(hiddenFields(after.page.text)['resources:repo']).toBe('selected');

    // Naming plans (not kept) or choosing "all" by hand widens nothing.
    const widen = await browser.send(action, {
      form: {
        csrf_token: after.csrf,
        'resources:repo': 'selected',
        'resource:repo:0': 'alice/notes',
        'resource:repo:1': 'alice/plans',
      },
    });
    expect(widen.status).toBe(303);
    const all = await browser.send(action, { form: { csrf_token: after.csrf, 'resources:repo': 'all' } });
    expect(all.headers.location).toBe('/settings/authorizations?notice=unchanged');
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    const listed = await browser.send('/settings/api/authorizations');
    expect(listed.json).toMatchObject([{ resources: { repo: ['alice/notes'] } }]);

    // A repository alice does not have is refused.
    const foreign = await browser.send(action, {
      form: { csrf_token: after.csrf, 'resources:repo': 'selected', 'resource:repo:0': 'bob/dotfiles' },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.text).not.toContain('bob/dotfiles');
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
  });

  it('the tokens page creates a token restricted to chosen repositories, requires an expiry for it, and lists its resources', async () => {
    const browser = await alice();
    const page = await browser.send('/settings/tokens');
    expect(page.status).toBe(200);
    expect(checkedInputs(page.text)).toMatchObject({ 'resources:repo': 'all', 'resources:repo:read': 'all' });
    const boxes = checkboxes(page.text);
    expect(boxes.get('alice/notes')).toMatch(/^resource:repo(:read)?:\d+$/);
    const base = {
      csrf_token: csrfToken(page.text),
      name: 'ci',
      scopes: 'repo',
      'resources:repo': 'selected',
      'resource:repo:1': 'alice/notes',
    };
    const never = await browser.send('/settings/tokens', { form: { ...base, expiry: 'never' } });
    expect(never.status).toBe(400);
    expect(decodeEntities(never.text)).toContain('A token restricted to chosen resources needs an expiry');
    // The form keeps the choice.
    expect(checkedInputs(never.text)).toMatchObject({ 'resources:repo': 'selected' });
    expect(Object.values(checkedInputs(never.text))).toContain('alice/notes');

    const foreign = await browser.send('/settings/tokens', {
      form: { ...base, 'resource:repo:1': 'bob/dotfiles', expiry: '7' },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('a resource you do not have');

    const created = await browser.send('/settings/tokens', { form: { ...base, expiry: '7' } });
    expect(created.status).toBe(201);
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(created.text)?.[1];
    expect(token).toBeDefined();
    expect(created.text).toContain('<code>repo</code>: only alice/notes');
    expect(await visibleRepos(token)).toEqual(['alice/hello-world', 'alice/notes']);
    expect((await api('/api/repos/alice/plans', token)).status).toBe(404);
    const listed = await browser.send('/settings/api/tokens');
    expect(listed.json).toMatchObject([{ name: 'ci', resources: { repo: ['alice/notes'] } }]);

    // Left at "all", a token is unrestricted, as before.
    const plain = await browser.send('/settings/tokens', {
      form: {
        csrf_token: base.csrf_token,
        name: 'all',
        scopes: 'repo',
        'resources:repo': 'all',
        expiry: 'never',
      },
    });
    expect(plain.status).toBe(201);
  });
});
