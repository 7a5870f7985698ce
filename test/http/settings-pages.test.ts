import { createExampleHost, type ExampleHost } from '../support/example-host';
import { callApi, consentPage, login, postDecision, token as tokenRequest } from '../support/flows';
import { csrfToken, fieldError, codeText as textOf } from '../support/html';
import type { UserAgent } from '../support/user-agent';

/**
 * The settings pages (DESIGN.md "Applications, authorizations, personal tokens") over HTTP against
 * the example provider: every page renders, every POST needs the CSRF token, validation errors
 * come back next to their field, secrets are shown once, and users see only their own things.
 */
const ISSUER = 'http://127.0.0.1:3999';

async function logIn(username: string, password: string): Promise<UserAgent> {
  const browser = host.browser();
  await login(browser, username, password);
  return browser;
}

/** `GET /api/user` with a bearer token, as a client would call it. */
function apiUser(accessToken: string) {
  return callApi(host.browser(), '/api/user', accessToken);
}

/** `grant_type=client_credentials` over HTTP Basic. */
function clientCredentials(clientId: string, clientSecret: string) {
  return tokenRequest(host.browser(), { clientId, clientSecret }, { grant_type: 'client_credentials' });
}

const VALID_APP = {
  name: 'My app',
  homepage_url: 'https://app.example',
  redirect_uris: 'https://app.example/callback\nhttp://127.0.0.1/callback',
  client_type: 'confidential',
};

/** Posts a form with the CSRF token of the page it is on; `scopes` may repeat, as checkboxes do. */
async function postForm(
  agent: UserAgent,
  page: string,
  action: string,
  fields: Record<string, string>,
  scopes: string[] = [],
) {
  // A page with nothing to act on has no form; the token (per browser and user) is the same on every page.
  const html = (await agent.send(page)).text;
  const csrf = html.includes('csrf_token')
    ? csrfToken(html)
    : csrfToken((await agent.send('/settings/tokens')).text);
  const body = new URLSearchParams({ ...fields, csrf_token: csrf });
  for (const scope of scopes) body.append('scopes', scope);
  return agent.send(action, { form: body });
}

async function createApplication(
  agent: UserAgent,
  fields: Record<string, string> = VALID_APP,
  scopes = ['repo', 'user'],
) {
  const response = await postForm(
    agent,
    '/settings/applications/new',
    '/settings/applications',
    fields,
    scopes,
  );
  expect(response.status).toBe(201);
  const id = /action="\/settings\/applications\/([0-9a-f-]+)"/.exec(response.text)?.[1];
  if (id === undefined) throw new Error('no application id on the page');
  return { id, html: response.text, clientId: textOf(response.text, 'client-id') };
}

let host: ExampleHost;

describe('settings pages', () => {
  let alice: UserAgent;
  let bob: UserAgent;

  beforeAll(async () => {
    host = await createExampleHost({ issuer: ISSUER });
    alice = await logIn('alice', 'alice-pass');
    bob = await logIn('bob', 'bob-pass');
  });

  it.each([
    '/settings/applications',
    '/settings/applications/new',
    '/settings/authorizations',
    '/settings/tokens',
  ])('renders %s with the page security headers', async (path) => {
    const response = await alice.send(path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).not.toContain('<script');
    expect(response.text).toContain('Signed in as <strong>alice</strong>');
  });

  it('links and actions follow the mount path', async () => {
    const list = await alice.send('/settings/applications');
    expect(list.text).toContain('href="/settings/applications/new"');
    expect(list.text).toContain('href="/settings/tokens"');
  });

  it('sends a visitor who is not logged in to the login page with return_to', async () => {
    const response = await host.browser().send('/settings/tokens?x=1');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`/login?return_to=${encodeURIComponent('/settings/tokens?x=1')}`);
    const post = await host
      .browser()
      .send('/settings/applications/abc/delete', { form: { csrf_token: 'x' } });
    expect(post.status).toBe(302);
    expect(post.headers.location).toBe(`/login?return_to=${encodeURIComponent('/settings/applications')}`);
  });

  it('the home page links to the three pages', async () => {
    const home = await alice.send('/');
    for (const path of ['/settings/applications', '/settings/authorizations', '/settings/tokens']) {
      expect(home.text).toContain(`href="${path}"`);
    }
  });

  it('registers an application and shows its secret once', async () => {
    const created = await createApplication(alice);
    const secret = textOf(created.html, 'client-secret');
    expect(created.html).toContain('shown only this once');
    expect(created.html).toMatch(
      /<input type="checkbox" id="scopes-repo" name="scopes" value="repo" checked>/,
    );
    const show = await alice.send(`/settings/applications/${created.id}`);
    expect(show.status).toBe(200);
    expect(show.text).toContain(created.clientId);
    expect(show.text).not.toContain(secret);
    expect(show.text).not.toContain('id="client-secret"');
    const list = await alice.send('/settings/applications');
    expect(list.text).toContain('My app');
    expect(list.text).not.toContain(secret);
  });

  it('a public application gets no secret', async () => {
    const created = await createApplication(alice, { ...VALID_APP, client_type: 'public' });
    expect(created.html).not.toContain('id="client-secret"');
    expect(created.html).toContain('must use PKCE');
    expect(created.html).not.toContain('Reset client secret');
  });

  it.each([
    [
      'a javascript: URL',
      { redirect_uris: 'javascript:alert(1)' },
      'redirect_uris',
      'must be an http or https URL',
    ],
    [
      'a URL with a fragment',
      { redirect_uris: 'https://app.example/cb#frag' },
      'redirect_uris',
      'must not contain a fragment',
    ],
    [
      'http for a non-loopback host',
      { redirect_uris: 'http://app.example/cb' },
      'redirect_uris',
      'must use https',
    ],
    ['no callback URL', { redirect_uris: '  \n ' }, 'redirect_uris', 'Add at least one callback URL'],
    ['an empty name', { name: '   ' }, 'name', 'Name is required'],
    ['a bad homepage', { homepage_url: 'not a url' }, 'homepage_url', 'Homepage URL must be an absolute URL'],
    ['no client type', { client_type: 'secretive' }, 'client_type', 'Choose confidential or public'],
  ])('re-renders the form for %s, keeping the input', async (_label, override, field, message) => {
    const fields = { ...VALID_APP, ...override };
    const response = await postForm(alice, '/settings/applications/new', '/settings/applications', fields, [
      'gist',
    ]);
    expect(response.status).toBe(400);
    expect(fieldError(response.text, field)).toContain(message);
    expect(response.text).toContain('value="gist" checked');
    if (!('name' in override)) expect(response.text).toContain('value="My app"');
  });

  it('re-renders for an unknown scope', async () => {
    const response = await postForm(
      alice,
      '/settings/applications/new',
      '/settings/applications',
      VALID_APP,
      ['repo', 'admin'],
    );
    expect(response.status).toBe(400);
    expect(fieldError(response.text, 'scopes')).toContain('unknown scope &quot;admin&quot;');
  });

  it('validates the edit form the same way and saves a valid edit', async () => {
    const { id } = await createApplication(alice);
    const page = `/settings/applications/${id}`;
    const bad = await postForm(alice, page, page, { ...VALID_APP, redirect_uris: 'https://a.example/#x' });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'redirect_uris')).toContain('must not contain a fragment');
    expect(bad.text).toContain('https://a.example/#x</textarea>');
    const good = await postForm(alice, page, page, { ...VALID_APP, name: 'Renamed' }, ['gist']);
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe(`${page}?notice=updated`);
    const shown = await alice.send(good.headers.location ?? '');
    expect(shown.text).toContain('<h1>Renamed</h1>');
    expect(shown.text).toContain('Application updated.');
  });

  it('enforces the CSRF token on every POST', async () => {
    const { id } = await createApplication(alice);
    const withoutToken = await alice.send('/settings/tokens', {
      form: { name: 't', scopes: 'user', expiry: 'never' },
    });
    const actions = [
      '/settings/applications',
      `/settings/applications/${id}`,
      `/settings/applications/${id}/reset-secret`,
      `/settings/applications/${id}/revoke-tokens`,
      `/settings/applications/${id}/delete`,
      '/settings/authorizations/abc/revoke',
      '/settings/tokens',
      '/settings/tokens/abc/revoke',
    ];
    expect(withoutToken.status).toBe(403);
    for (const action of actions) {
      const missing = await alice.send(action, { form: { name: 'x' } });
      expect([action, missing.status]).toEqual([action, 403]);
      expect(missing.text).toContain('Forbidden');
      const wrong = await alice.send(action, { form: { name: 'x', csrf_token: 'forged' } });
      expect([action, wrong.status]).toEqual([action, 403]);
    }
    // Bob's token is bound to Bob: it does not work in Alice's session.
    const bobsToken = csrfToken((await bob.send('/settings/tokens')).text);
    const crossed = await alice.send(`/settings/applications/${id}/delete`, {
      form: { csrf_token: bobsToken },
    });
    expect(crossed.status).toBe(403);
    expect((await alice.send(`/settings/applications/${id}`)).status).toBe(200);
  });

  it("another user's application is a 404 everywhere", async () => {
    const { id } = await createApplication(alice);
    const page = `/settings/applications/${id}`;
    const shown = await bob.send(page);
    expect(shown.status).toBe(404);
    expect(shown.text).toContain('Not found');
    for (const action of [page, `${page}/reset-secret`, `${page}/revoke-tokens`, `${page}/delete`]) {
      const response = await postForm(bob, '/settings/applications', action, VALID_APP);
      expect([action, response.status]).toEqual([action, 404]);
    }
    expect((await bob.send('/settings/applications')).text).not.toContain(id);
    expect((await alice.send(page)).status).toBe(200);
  });

  it('resetting the secret shows the new one once and kills the old one', async () => {
    const created = await createApplication(alice);
    const oldSecret = textOf(created.html, 'client-secret');
    const tokenWith = (secret: string) => clientCredentials(created.clientId, secret);
    expect((await tokenWith(oldSecret)).status).toBe(200);

    const page = `/settings/applications/${created.id}`;
    const reset = await postForm(alice, page, `${page}/reset-secret`, {});
    expect(reset.status).toBe(200);
    const newSecret = textOf(reset.text, 'client-secret');
    expect(newSecret).not.toBe(oldSecret);
    expect(reset.headers.location).toBeUndefined();
    expect((await tokenWith(oldSecret)).status).toBe(401);
    expect((await tokenWith(newSecret)).status).toBe(200);
    expect((await alice.send(page)).text).not.toContain(newSecret);
  });

  it('revoke-tokens and delete work and redirect with a notice', async () => {
    const created = await createApplication(alice);
    const secret = textOf(created.html, 'client-secret');
    const issued = await clientCredentials(created.clientId, secret);
    const accessToken = String(issued.body.access_token);
    expect((await apiUser(accessToken)).status).toBe(403);
    const page = `/settings/applications/${created.id}`;
    const revoked = await postForm(alice, page, `${page}/revoke-tokens`, {});
    expect(revoked.status).toBe(303);
    expect((await alice.send(revoked.headers.location ?? '')).text).toContain('has been revoked');
    // A client_credentials token has no user: /api/user answers 403 while it is valid, 401 once revoked.
    expect((await apiUser(accessToken)).status).toBe(401);
    const deleted = await postForm(alice, page, `${page}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.location).toBe('/settings/applications?notice=deleted');
    expect((await alice.send(page)).status).toBe(404);
  });

  it('escapes what users type', async () => {
    const name = '<script>alert(1)</script>';
    const created = await createApplication(alice, { ...VALID_APP, name });
    const list = await alice.send('/settings/applications');
    for (const html of [
      created.html,
      list.text,
      (await alice.send(`/settings/applications/${created.id}`)).text,
    ]) {
      expect(html).not.toContain(name);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const rejected = await postForm(alice, '/settings/applications/new', '/settings/applications', {
      ...VALID_APP,
      redirect_uris: '"><img src=x onerror=alert(1)>',
    });
    expect(rejected.status).toBe(400);
    expect(rejected.text).not.toContain('<img src=x');
  });

  it('ignores notices that are not ours', async () => {
    const response = await alice.send('/settings/applications?notice=%3Cb%3Ehi');
    expect(response.text).not.toContain('class="notice"');
  });

  describe('personal access tokens', () => {
    it('creates a token shown once, lists it without the secret, and revokes it', async () => {
      const created = await postForm(
        alice,
        '/settings/tokens',
        '/settings/tokens',
        { name: 'deploy script', expiry: '7' },
        ['repo', 'public_repo'],
      );
      expect(created.status).toBe(201);
      const token = textOf(created.text, 'new-token');
      expect(created.text).toContain('shown only this once');
      expect((await apiUser(token)).body).toEqual({
        id: '1',
        login: 'alice',
      });

      const list = await alice.send('/settings/tokens');
      expect(list.text).toContain('deploy script');
      expect(list.text).not.toContain(token);
      expect(list.text).toContain('<code>repo</code>');
      const id = /action="\/settings\/tokens\/([0-9a-f-]+)\/revoke"/.exec(list.text)?.[1] ?? '';
      expect((await bob.send('/settings/tokens')).text).not.toContain('deploy script');
      expect((await postForm(bob, '/settings/tokens', `/settings/tokens/${id}/revoke`, {})).status).toBe(404);

      const revoked = await postForm(alice, '/settings/tokens', `/settings/tokens/${id}/revoke`, {});
      expect(revoked.status).toBe(303);
      expect((await alice.send(revoked.headers.location ?? '')).text).toContain('Token revoked');
      expect((await apiUser(token)).status).toBe(401);
    });

    it('re-renders the form on bad input', async () => {
      const response = await postForm(
        alice,
        '/settings/tokens',
        '/settings/tokens',
        { name: '', expiry: '12' },
        ['nope'],
      );
      expect(response.status).toBe(400);
      expect(fieldError(response.text, 'name')).toContain('Name is required');
      expect(fieldError(response.text, 'scopes')).toContain('unknown scope');
      expect(fieldError(response.text, 'expiry')).toContain('Choose one');
      const noScope = await postForm(alice, '/settings/tokens', '/settings/tokens', {
        name: 'keep me',
        expiry: 'never',
      });
      expect(fieldError(noScope.text, 'scopes')).toBe('Choose at least one scope');
      expect(noScope.text).toContain('value="keep me"');
    });
  });

  describe('authorized applications', () => {
    it('lists an authorization with scopes and revokes it', async () => {
      const created = await createApplication(alice);
      const secret = textOf(created.html, 'client-secret');
      const { fields } = await consentPage(alice, {
        client_id: created.clientId,
        redirect_uri: 'https://app.example/callback',
        response_type: 'code',
        scope: 'repo',
        state: 's',
      });
      const approved = await postDecision(alice, fields, 'approve');
      const code = new URL(approved.headers.location ?? '').searchParams.get('code') ?? '';
      const exchanged = await tokenRequest(
        host.browser(),
        { clientId: created.clientId, clientSecret: secret },
        { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/callback' },
      );
      const accessToken = String(exchanged.body.access_token);
      expect((await apiUser(accessToken)).status).toBe(200);

      const page = await alice.send('/settings/authorizations');
      expect(page.text).toContain('My app');
      expect(page.text).toContain('Full control of your repositories');
      expect((await bob.send('/settings/authorizations')).text).not.toContain(created.clientId);
      const action = `/settings/authorizations/${created.clientId}/revoke`;
      expect((await postForm(bob, '/settings/authorizations', action, {})).status).toBe(404);
      const revoked = await postForm(alice, '/settings/authorizations', action, {});
      expect(revoked.status).toBe(303);
      expect((await alice.send(revoked.headers.location ?? '')).text).toContain('Access revoked');
      expect((await apiUser(accessToken)).status).toBe(401);
    });
  });
});
