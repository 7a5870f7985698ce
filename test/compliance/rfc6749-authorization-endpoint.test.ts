/**
 * RFC 6749 §4.1.1–§4.1.2.1 (authorization request and response), §10.12 (CSRF) and RFC 9700
 * §4.1.3 (exact redirect URI matching), as fixed by DESIGN.md's `/oauth/authorize` row. The
 * applications here are the host's (`trust: 'host'`), whose errors RFC 6749 redirects; what
 * changes for applications users register is in `rfc9700-client-trust.test.ts`.
 */
import { expectErrorPage } from '../support/assertions';
import { ISSUER, REDIRECT_URI } from '../support/fixtures';
import { consentPage, openAuthorize, postDecision } from '../support/flows';
import { authorizeQuery, locationParams, pkcePair } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp({ trust: 'host' });
});

/** `GET /oauth/authorize` as `user` (`null`: nobody logged in). */
function getAuthorize(query: Record<string, string>, user: string | null = 'alice') {
  return openAuthorize(t.browser(user), query);
}

describe('RFC 6749 §4.1.2.1: client and redirect URI are verified first, never redirected to', () => {
  it('answers an unknown client_id with a 400 HTML page and no Location', async () => {
    const response = await getAuthorize({ ...authorizeQuery({ client }), client_id: 'unknown-client' });
    expectErrorPage(response, 'invalid_client');
  });

  it('answers a missing client_id with a 400 HTML page', async () => {
    const { client_id: _omitted, ...query } = authorizeQuery({ client });
    expectErrorPage(await getAuthorize(query), 'invalid_request');
  });

  it.each([
    ['another path', 'https://client.example/other'],
    ['another port', 'https://client.example:8443/callback'],
    ['another host', 'https://evil.example/callback'],
    ['a trailing slash', 'https://client.example/callback/'],
    ['an extra query', 'https://client.example/callback?x=1'],
    ['http instead of https', 'http://client.example/callback'],
  ])('answers a redirect_uri with %s with a 400 HTML page and no Location', async (_label, redirectUri) => {
    const response = await getAuthorize(authorizeQuery({ client, redirectUri }));
    expectErrorPage(response, 'invalid_request');
  });

  it('verifies the client before asking a visitor who is not logged in to log in (no login page for a phishing URL)', async () => {
    const unknown = await getAuthorize({ ...authorizeQuery({ client }), client_id: 'nope' }, null);
    expectErrorPage(unknown, 'invalid_client');
    const mismatch = await getAuthorize(
      authorizeQuery({ client, redirectUri: 'https://evil.example/cb' }),
      null,
    );
    expectErrorPage(mismatch, 'invalid_request');
  });

  it('sends the error page with anti-framing and no-store headers', async () => {
    const response = await getAuthorize({ ...authorizeQuery({ client }), client_id: 'nope' });
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('§3.1.2.3: without redirect_uri, a client with several registered URIs gets the error page', async () => {
    const several = await t.registerApp({
      trust: 'host',
      redirectUris: [REDIRECT_URI, 'https://client.example/other'],
    });
    expectErrorPage(
      await getAuthorize(authorizeQuery({ client: several, redirectUri: null })),
      'invalid_request',
    );
  });

  it('§3.1.2.3: without redirect_uri, the only registered URI is used', async () => {
    const response = await getAuthorize(authorizeQuery({ client, redirectUri: null, scope: 'bad-scope' }));
    expect(response.status).toBe(302);
    expect(response.headers.location).toMatch(/^https:\/\/client\.example\/callback\?/);
  });
});

describe('RFC 6749 §4.1.2.1: other errors are redirected with error, error_description, state and iss', () => {
  async function expectRedirectError(query: Record<string, string>, code: string) {
    const response = await getAuthorize(query);
    expect(response.status).toBe(302);
    const location = String(response.headers.location);
    expect(location.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const params = locationParams(response);
    expect(params.get('error')).toBe(code);
    expect(params.get('error_description')).toEqual(expect.any(String));
    expect(params.get('state')).toBe('state-123');
    // RFC 9207 §2: the issuer accompanies error responses too.
    expect(params.get('iss')).toBe(ISSUER);
    expect(params.get('code')).toBeNull();
    return params;
  }

  it('missing response_type → invalid_request', async () => {
    const { response_type: _omitted, ...query } = authorizeQuery({ client });
    await expectRedirectError(query, 'invalid_request');
  });

  it('unsupported response_type (token: no implicit grant) → unsupported_response_type', async () => {
    await expectRedirectError(
      { ...authorizeQuery({ client }), response_type: 'token' },
      'unsupported_response_type',
    );
    await expectRedirectError(
      { ...authorizeQuery({ client }), response_type: 'code id_token' },
      'unsupported_response_type',
    );
  });

  it('unknown scope → invalid_scope', async () => {
    await expectRedirectError(authorizeQuery({ client, scope: 'repo admin:everything' }), 'invalid_scope');
  });

  it('a scope the application may not request → invalid_scope', async () => {
    const limited = await t.registerApp({ trust: 'host', scopes: ['user'] });
    const response = await getAuthorize(authorizeQuery({ client: limited, scope: 'repo' }));
    expect(locationParams(response).get('error')).toBe('invalid_scope');
  });

  it('a public client without PKCE → invalid_request (RFC 7636 §4.4.1)', async () => {
    const spa = await t.registerApp({ trust: 'host', confidential: false });
    const response = await getAuthorize(authorizeQuery({ client: spa, pkce: null }));
    expect(response.status).toBe(302);
    const params = locationParams(response);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/PKCE/);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
  });

  it('keeps the registered redirect URI’s own query parameters (§3.1.2)', async () => {
    const withQuery = await t.registerApp({
      trust: 'host',
      redirectUris: ['https://client.example/cb?tenant=7'],
    });
    const response = await getAuthorize(
      authorizeQuery({ client: withQuery, redirectUri: 'https://client.example/cb?tenant=7', scope: 'nope' }),
    );
    const params = locationParams(response);
    expect(params.get('tenant')).toBe('7');
    expect(params.get('error')).toBe('invalid_scope');
  });

  it('omits state when the client sent none', async () => {
    const { state: _omitted, ...query } = authorizeQuery({ client, scope: 'nope' });
    const response = await getAuthorize(query);
    expect(locationParams(response).has('state')).toBe(false);
  });
});

describe('RFC 6749 §4.1.1: the resource owner must be authenticated', () => {
  it('redirects a visitor who is not logged in to loginUrl with return_to', async () => {
    const query = authorizeQuery({ client, scope: 'repo' });
    const response = await getAuthorize(query, null);
    expect(response.status).toBe(302);
    const location = new URL(String(response.headers.location), 'http://host.invalid');
    expect(location.pathname).toBe('/login');
    const returnTo = location.searchParams.get('return_to') ?? '';
    expect(returnTo.startsWith('/oauth/authorize?')).toBe(true);
    const back = new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1));
    expect(back.get('client_id')).toBe(client.clientId);
    expect(back.get('scope')).toBe('repo');
    expect(back.get('state')).toBe('state-123');
    expect(back.get('redirect_uri')).toBe(REDIRECT_URI);
  });
});

describe('RFC 6749 §4.1.1 / §10.2: the consent page', () => {
  it('names the application and describes every requested scope', async () => {
    const { page } = await consentPage(t.browser(), authorizeQuery({ client, scope: 'repo gist' }));
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Test App');
    expect(page.text).toContain('Full control of your repositories');
    expect(page.text).toContain('Create gists');
    expect(page.text).not.toContain('Read your profile information');
  });

  it('escapes HTML in the application name', async () => {
    const evil = await t.registerApp({ trust: 'host', name: '<script>alert("x")</script>&co' });
    const { page } = await consentPage(t.browser(), authorizeQuery({ client: evil }));
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co');
  });

  it('escapes request parameters echoed into the form, and posts them back unchanged', async () => {
    const state = '"><script>alert(1)</script>&amp;';
    const { page, fields } = await consentPage(t.browser(), authorizeQuery({ client, state }));
    expect(page.text).not.toContain('<script>alert(1)');
    expect(fields.state).toBe(state);
  });

  it('cannot be framed (RFC 6749 §10.13) and is not cached', async () => {
    const { page } = await consentPage(t.browser(), authorizeQuery({ client }));
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('carries a CSRF token and the request parameters as hidden fields', async () => {
    const alice = t.browser();
    const { fields } = await consentPage(alice, authorizeQuery({ client, scope: 'repo' }));
    // A nonce (new on every page) and a MAC bound to browser, user, client, redirect URI and scopes.
    expect(fields.csrf_token).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/));
    expect(fields.client_id).toBe(client.clientId);
    expect(fields.scope).toBe('repo');
    expect(fields.state).toBe('state-123');
    expect(alice.cookie('eo_csrf')).toEqual(expect.any(String));
  });

  it('links the homepage only when it is http(s), whatever storage holds', async () => {
    const { page: linked } = await consentPage(t.browser(), authorizeQuery({ client }));
    expect(linked.text).toContain('<a href="https://client.example" rel="noopener noreferrer">');
    const created = await t.provider.applications.create(
      {
        name: 'Host App',
        homepageUrl: 'https://host.example',
        redirectUris: [REDIRECT_URI],
        confidential: true,
        scopes: [],
      },
      null,
    );
    // The service validates what it writes; a record written by other tools (or before the
    // validator existed) may still hold anything.
    await t.adapter.updateApplication(created.application.id, { homepageUrl: 'javascript:alert(1)' });
    const hostApp = {
      application: created.application,
      clientId: created.application.clientId,
      clientSecret: created.clientSecret,
    };
    const { page } = await consentPage(t.browser(), authorizeQuery({ client: hostApp }));
    expect(page.text).toContain('<span>javascript:alert(1)</span>');
    expect(page.text).not.toContain('href="javascript:');
  });

  it('shows normalized scopes: "repo public_repo" is asked as "repo"', async () => {
    const { fields } = await consentPage(t.browser(), authorizeQuery({ client, scope: 'public_repo repo' }));
    expect(fields.scope).toBe('repo');
  });
});

describe('RFC 6749 §4.1.2: the consent decision', () => {
  /** alice's browser on the consent page for `query`. */
  async function onConsentPage(query: Record<string, string> = authorizeQuery({ client })) {
    const alice = t.browser();
    const { fields } = await consentPage(alice, query);
    return { alice, fields };
  }

  it('approve with a valid CSRF token → 302 to redirect_uri with code, state and iss', async () => {
    const { alice, fields } = await onConsentPage(authorizeQuery({ client, scope: 'repo' }));
    const response = await postDecision(alice, fields, 'approve');
    expect(response.status).toBe(302);
    expect(String(response.headers.location).startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const params = locationParams(response);
    expect(params.get('code')).toMatch(/^eoc_[0-9A-Za-z]{38}$/);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
    expect(params.get('error')).toBeNull();
  });

  it('deny → access_denied with state and iss, and no code', async () => {
    const { alice, fields } = await onConsentPage(authorizeQuery({ client, scope: 'repo' }));
    const response = await postDecision(alice, fields, 'deny');
    expect(response.status).toBe(302);
    const params = locationParams(response);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
    expect(params.get('code')).toBeNull();
    // Denying records no consent: the next request shows the page again.
    expect((await getAuthorize(authorizeQuery({ client, scope: 'repo' }))).status).toBe(200);
  });

  it.each([
    ['a wrong CSRF token', (fields: Record<string, string>) => ({ ...fields, csrf_token: 'forged' })],
    [
      'no CSRF token',
      (fields: Record<string, string>) => {
        const { csrf_token: _omitted, ...rest } = fields;
        return rest;
      },
    ],
  ])('%s → 403 page, no redirect, no code', async (_label, change) => {
    const { alice, fields } = await onConsentPage();
    const response = await postDecision(alice, change(fields), 'approve');
    expect(response.status).toBe(403);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('a CSRF token without its browser cookie → 403', async () => {
    const { alice, fields } = await onConsentPage();
    const response = await postDecision(alice, fields, 'approve', { cookies: false });
    expect(response.status).toBe(403);
    expect(response.headers.location).toBeUndefined();
  });

  it('the CSRF token of user A is refused for user B', async () => {
    const { alice, fields } = await onConsentPage();
    const response = await postDecision(alice, fields, 'approve', { user: 'bob' });
    expect(response.status).toBe(403);
    expect(response.headers.location).toBeUndefined();
  });

  it('re-validates the posted request: a tampered redirect_uri gets the error page', async () => {
    const { alice, fields } = await onConsentPage();
    const response = await postDecision(
      alice,
      { ...fields, redirect_uri: 'https://evil.example/cb' },
      'approve',
    );
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('a decision other than approve/deny is not an approval', async () => {
    const { alice, fields } = await onConsentPage();
    const response = await postDecision(alice, fields, 'yes please');
    expect(locationParams(response).get('code')).toBeNull();
    expect(locationParams(response).get('error')).toBe('invalid_request');
  });

  it('a logged-out POST is sent to log in, not approved', async () => {
    const { alice, fields } = await onConsentPage();
    const response = await postDecision(alice, fields, 'approve', { user: null });
    expect(response.status).toBe(302);
    expect(String(response.headers.location).startsWith('/login?return_to=')).toBe(true);
  });
});

describe('DESIGN: an application already authorized for the same or wider scopes skips consent', () => {
  async function approve(scope: string) {
    const pkce = pkcePair();
    return t.authorize({ client, scope, pkce });
  }

  it('skips the page for the same scopes and for narrower ones (repo covers public_repo)', async () => {
    await approve('repo user');
    for (const scope of ['repo user', 'repo', 'public_repo', 'user public_repo']) {
      const response = await getAuthorize(authorizeQuery({ client, scope }));
      expect(response.status).toBe(302);
      const params = locationParams(response);
      expect(params.get('code')).toMatch(/^eoc_/);
      expect(params.get('state')).toBe('state-123');
      expect(params.get('iss')).toBe(ISSUER);
    }
  });

  it('asks again for wider scopes, and only the user who consented skips it', async () => {
    await approve('public_repo');
    expect((await getAuthorize(authorizeQuery({ client, scope: 'repo' }))).status).toBe(200);
    expect((await getAuthorize(authorizeQuery({ client, scope: 'public_repo gist' }))).status).toBe(200);
    expect((await getAuthorize(authorizeQuery({ client, scope: 'public_repo' }), 'bob')).status).toBe(200);
  });

  it('a code issued without consent screen carries the requested (narrower) scope', async () => {
    await approve('repo');
    const code = await t.authorize({ client, scope: 'public_repo' });
    const answer = await t.exchange({ client, code });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe('public_repo');
  });
});
