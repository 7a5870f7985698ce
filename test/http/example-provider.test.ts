/**
 * DESIGN "The example provider": the app `npm start` runs, driven as a newcomer would — log in as
 * alice, register an application through the JSON API, run the PKCE flow, call the API.
 */
import { createExampleHost, type ExampleHost } from '../support/example-host';
import { consentPage, exchange, login, postDecision } from '../support/flows';
import { locationParams, pkcePair } from '../support/oauth';
import type { UserAgent } from '../support/user-agent';

const ISSUER = 'http://localhost:3000';
const CALLBACK = 'http://127.0.0.1/callback';

let host: ExampleHost;

beforeEach(async () => {
  host = await createExampleHost({ issuer: ISSUER, sessionSecret: 'example-test-session-secret' });
});

async function loggedIn(username = 'alice', password = 'alice-pass'): Promise<UserAgent> {
  const browser = host.browser();
  const answer = await login(browser, username, password);
  expect(answer.headers.location).toBe('/');
  return browser;
}

/** Registers a public app as the browser's user, runs the PKCE flow and returns the token response. */
async function pkceTokens(browser: UserAgent, scope: string) {
  const registered = await browser.send('/settings/api/applications', {
    json: {
      name: 'CLI',
      homepage_url: 'https://cli.example',
      redirect_uris: [CALLBACK],
      confidential: false,
    },
  });
  expect(registered.status).toBe(201);
  expect(registered.body).not.toHaveProperty('client_secret');
  const client = { clientId: String(registered.body.client_id), clientSecret: null };
  const pkce = pkcePair();
  // RFC 8252 §7.3: the native app listens on a port of its choosing.
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const query = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: redirectUri,
    scope,
    state: 'xyz',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  };
  const { page, fields } = await consentPage(browser, query);
  expect(page.text).toContain('CLI');
  const approved = await postDecision(browser, fields, 'approve');
  expect(approved.status).toBe(302);
  expect(String(approved.headers.location).startsWith(`${redirectUri}?`)).toBe(true);
  const params = locationParams(approved);
  expect(params.get('state')).toBe('xyz');
  expect(params.get('iss')).toBe(ISSUER);
  const exchanged = await exchange(host.browser(), client, {
    code: params.get('code') ?? '',
    redirectUri,
    verifier: pkce.verifier,
  });
  expect(exchanged.status).toBe(200);
  return { clientId: client.clientId, tokens: exchanged.body };
}

/** `method path` with the access token, as the API's client. */
function api(path: string, token: unknown, options: { method?: string; json?: unknown } = {}) {
  return host.browser().send(path, { ...options, headers: { authorization: `Bearer ${String(token)}` } });
}

describe('examples/provider', () => {
  it('has its own login: GET /login is a form, a wrong password is refused', async () => {
    const form = await host.browser().send('/login');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="username"');
    expect(form.text).toContain('name="password"');
    const wrong = await host.browser().send('/login', { form: { username: 'alice', password: 'nope' } });
    expect(wrong.status).toBe(401);
    const unknown = await host.browser().send('/login', { form: { username: 'mallory', password: 'x' } });
    expect(unknown.status).toBe(401);
  });

  it('sends a logged-out visitor to /login and back to the authorization request', async () => {
    const alice = await loggedIn();
    const registered = await alice.send('/settings/api/applications', {
      json: { name: 'Web', homepage_url: 'https://web.example', redirect_uris: ['https://web.example/cb'] },
    });
    const query = `response_type=code&client_id=${registered.body.client_id}&redirect_uri=${encodeURIComponent('https://web.example/cb')}&scope=user&state=s`;

    const visitor = host.browser();
    const toLogin = await visitor.send(`/oauth/authorize?${query}`);
    expect(toLogin.status).toBe(302);
    const loginUrl = new URL(String(toLogin.headers.location), ISSUER);
    expect(loginUrl.pathname).toBe('/login');
    const returnTo = loginUrl.searchParams.get('return_to') ?? '';
    expect(returnTo).toBe(`/oauth/authorize?${query}`);
    const signedIn = await visitor.send('/login', {
      form: { username: 'bob', password: 'bob-pass', return_to: returnTo },
    });
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.location).toBe(returnTo);
    const consent = await visitor.send(returnTo);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Read your profile information');
  });

  it('alice: register through the JSON API, PKCE flow, GET /api/user → { id, login: "alice" }', async () => {
    const { tokens } = await pkceTokens(await loggedIn(), 'user');
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('user');
    const user = await api('/api/user', tokens.access_token);
    expect(user.status).toBe(200);
    expect(user.body).toEqual({ id: '1', login: 'alice' });
    expect(user.headers['x-oauth-scopes']).toBe('user');
    expect((await host.browser().send('/api/user')).status).toBe(401);
  });

  it('GET /api/repos needs public_repo (repo counts); POST /api/repos needs repo; POST /api/gists needs gist', async () => {
    const alice = await loggedIn();
    const { tokens: user } = await pkceTokens(alice, 'user');
    const { tokens: publicRepo } = await pkceTokens(alice, 'public_repo');
    const { tokens: repo } = await pkceTokens(alice, 'repo gist');

    const deniedList = await api('/api/repos', user.access_token);
    expect(deniedList.status).toBe(403);
    expect(deniedList.headers['x-accepted-oauth-scopes']).toBe('public_repo, repo, repo:read');
    const list = await api('/api/repos', publicRepo.access_token);
    expect(list.status).toBe(200);
    expect(list.json).toEqual([{ name: 'hello-world', owner: 'alice', private: false }]);
    expect((await api('/api/repos', repo.access_token)).status).toBe(200);

    const deniedCreate = await api('/api/repos', publicRepo.access_token, {
      method: 'POST',
      json: { name: 'new-repo' },
    });
    expect(deniedCreate.status).toBe(403);
    expect(String(deniedCreate.headers['www-authenticate'])).toContain('scope="repo"');
    const created = await api('/api/repos', repo.access_token, {
      method: 'POST',
      json: { name: 'new-repo' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'new-repo', owner: 'alice', private: false });

    const deniedGist = await api('/api/gists', publicRepo.access_token, {
      method: 'POST',
      json: { description: 'x' },
    });
    expect(deniedGist.status).toBe(403);
    const gist = await api('/api/gists', repo.access_token, {
      method: 'POST',
      json: { description: 'notes' },
    });
    expect(gist.status).toBe(201);
    expect(gist.body).toEqual({ owner: 'alice', description: 'notes' });
  });

  it('serves RFC 8414 metadata for its issuer and the settings API only to logged-in users', async () => {
    const metadata = await host.browser().send('/.well-known/oauth-authorization-server');
    expect(metadata.body.issuer).toBe(ISSUER);
    expect(metadata.body.token_endpoint).toBe(`${ISSUER}/oauth/token`);
    expect(metadata.body.scopes_supported).toEqual([
      'user',
      'repo',
      'repo:read',
      'public_repo',
      'gist',
      'ci:status',
    ]);
    expect((await host.browser().send('/settings/api/applications')).status).toBe(401);
  });

  it('bob cannot see or change alice’s applications; logout ends the session', async () => {
    const alice = await loggedIn();
    const created = await alice.send('/settings/api/applications', {
      json: { name: 'Mine', homepage_url: 'https://m.example', redirect_uris: ['https://m.example/cb'] },
    });
    const bob = await loggedIn('bob', 'bob-pass');
    expect((await bob.send(`/settings/api/applications/${created.body.id}`)).status).toBe(404);
    expect(
      (
        await bob.send(`/settings/api/applications/${created.body.id}`, {
          method: 'DELETE',
          headers: { 'x-requested-with': 'fetch' },
        })
      ).status,
    ).toBe(404);
    expect((await bob.send('/settings/api/applications')).json).toEqual([]);
    const logout = await alice.send('/logout', { method: 'POST', headers: { 'x-requested-with': 'fetch' } });
    expect(logout.status).toBe(302);
    expect((await alice.send('/settings/api/applications')).status).toBe(401);
  });

  it('its first-party app from configuration skips the consent page and keeps its client_id', async () => {
    const alice = await loggedIn();
    const first = { clientId: 'example-first-party', clientSecret: 'first-party-secret' };
    const redirectUri = 'http://127.0.0.1/first-party/callback';
    const answer = await alice.send(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: first.clientId, redirect_uri: redirectUri, scope: 'user repo', state: 's' })}`,
    );
    expect(answer.status).toBe(302);
    const params = locationParams(answer);
    expect(String(answer.headers.location).startsWith(`${redirectUri}?`)).toBe(true);
    const exchanged = await exchange(host.browser(), first, { code: params.get('code') ?? '', redirectUri });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.scope).toBe('user repo');
    expect((await api('/api/user', exchanged.body.access_token)).body).toEqual({ id: '1', login: 'alice' });
    const stored = await host.provider.applications.findByClientId(first.clientId);
    expect(stored).toMatchObject({ trust: 'first-party', skipConsent: true, ownerId: null });
  });

  it('ci:status is a client-held scope: user flows cannot ask for it, client_credentials cannot ask for user scopes', async () => {
    const alice = await loggedIn();
    const registered = await alice.send('/settings/api/applications', {
      json: { name: 'CI', homepage_url: 'https://ci.example', redirect_uris: [CALLBACK], confidential: true },
    });
    const client = {
      clientId: String(registered.body.client_id),
      clientSecret: String(registered.body.client_secret),
    };
    const userFlow = await alice.send(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: CALLBACK, scope: 'ci:status', state: 's' })}`,
    );
    // A user's application: the error is the provider's page with a link back, not a redirect.
    expect(userFlow.status).toBe(400);
    expect(userFlow.text).toContain('invalid_scope');
    const machine = await host.browser().send('/oauth/token', {
      form: {
        grant_type: 'client_credentials',
        scope: 'repo',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      },
    });
    expect(machine.status).toBe(400);
    expect(machine.body.error).toBe('invalid_scope');
  });
});

describe('examples/provider: theme and languages (DESIGN.md "Languages")', () => {
  it('serves its theme stylesheet, which the library pages link and their CSP allows', async () => {
    const alice = await loggedIn();
    const css = await alice.send('/theme/theme.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const page = await alice.send('/settings/tokens');
    expect(page.text).toContain('<link rel="stylesheet" href="/theme/theme.css">');
    expect(page.text).toContain('<header class="site-header">');
    expect(page.headers['content-security-policy']).toContain("style-src 'unsafe-inline' 'self'");
  });

  it('answers the library pages in German to Accept-Language: de, with <html lang="de">', async () => {
    const alice = await loggedIn();
    const page = await alice.send('/settings/applications', { headers: { 'accept-language': 'de' } });
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('<h1>OAuth-Anwendungen</h1>');
  });

  it('the language link sets a cookie that wins over Accept-Language, and goes back (never off-site)', async () => {
    const alice = await loggedIn();
    const switched = await alice.send('/language?lang=de&return_to=%2Fsettings%2Ftokens');
    expect([switched.status, switched.headers.location]).toEqual([303, '/settings/tokens']);
    const german = await alice.send('/settings/tokens', { headers: { 'accept-language': 'en' } });
    expect(german.text).toContain('<html lang="de">');
    const offSite = await alice.send('/language?lang=en&return_to=https%3A%2F%2Fevil.example');
    expect(offSite.headers.location).toBe('/');
    expect((await alice.send('/settings/tokens')).text).toContain('<html lang="en">');
  });

  it('translates its scope descriptions on the German consent page', async () => {
    const alice = await loggedIn();
    const registered = await alice.send('/settings/api/applications', {
      json: {
        name: 'Sprach-CLI',
        homepage_url: 'https://cli.example',
        redirect_uris: [CALLBACK],
        confidential: true,
      },
    });
    const query = {
      response_type: 'code',
      client_id: String(registered.body.client_id),
      redirect_uri: CALLBACK,
      scope: 'repo gist',
    };
    const { page } = await consentPage(alice, query, { headers: { 'accept-language': 'de-DE' } });
    expect(page.text).toContain('Volle Kontrolle über Ihre Repositories');
    expect(page.text).toContain('Sprach-CLI autorisieren');
  });
});
