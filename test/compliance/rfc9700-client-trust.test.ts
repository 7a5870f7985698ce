/**
 * Client trust (DESIGN "Client trust"), by the sections it follows:
 * - RFC 9700 §4.11.2 (open redirection): before the user has decided, authorization errors go
 *   back to the redirect URI only for `first-party` and `host` applications; a `user`
 *   application's visitor gets a 400 page with a link back (`errorRedirects: 'all'` restores
 *   RFC 6749 §4.1.2.1's redirect); `prompt=none` answers the same way.
 * - RFC 6749 §10.2 and RFC 8252 §8.6 (client impersonation): a remembered consent is reused
 *   silently only for confidential and first-party clients; `prompt=consent|login|none`.
 * - RFC 9700 §4.15 (client impersonating resource owner): client_credentials tokens carry only
 *   client-held scopes, and the guards refuse a user-less token on a user-held scope.
 * - RFC 8252 §7.1 (private-use URI scheme redirects): for public clients, in reverse-domain
 *   form, matched exactly; `javascript:`, `data:`, `file:` and host-less http(s) refused.
 */
import request from 'supertest';
import { expectErrorPage, expectOAuthError, expectReturnPage } from '../support/assertions';
import { ISSUER, REDIRECT_URI } from '../support/fixtures';
import { consentPage, decide, openAuthorize, postDecision } from '../support/flows';
import { authorizeQuery, bearer, locationParams, pkcePair } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';

let t: TestHost;

async function setUp(options: HostOptions = {}): Promise<void> {
  t = await createTestHost(options);
}

beforeEach(() => setUp());

/** A visitor with no cookies and no login, as a link from another site brings them. */
function stranger() {
  return t.browser(null);
}

describe('RFC 9700 §4.11.2: errors before the decision are redirected only for trusted applications', () => {
  it("a user's application: a visitor with no cookies gets the 400 page and a link back, never a redirect", async () => {
    // Bob registers https://evil.example/landing; anyone may open this URL.
    const bobs = await t.registerApp({ owner: 'bob', redirectUris: ['https://evil.example/landing'] });
    const query = authorizeQuery({ client: bobs, redirectUri: 'https://evil.example/landing' });
    const answer = await openAuthorize(stranger(), { ...query, response_type: 'x', state: 'st' });
    const back = expectReturnPage(answer, 'unsupported_response_type', {
      host: 'evil.example',
      state: 'st',
      issuer: ISSUER,
    });
    expect(back.get('error_description')).toEqual(expect.any(String));
    expect(answer.text).toContain('Test App');
    expect(answer.headers['x-frame-options']).toBe('DENY');
  });

  it.each([
    ['an unknown scope', { scope: 'admin:everything' }, 'invalid_scope'],
    ['a missing response_type', { response_type: '' }, 'invalid_request'],
    ['an unknown prompt', { prompt: 'select_account' }, 'invalid_request'],
  ])("a user's application, logged in, %s: the page, no Location", async (_label, change, code) => {
    const app = await t.registerApp();
    const answer = await openAuthorize(t.browser(), { ...authorizeQuery({ client: app }), ...change });
    expectReturnPage(answer, code, { host: 'client.example', state: 'state-123', issuer: ISSUER });
  });

  it.each(['host', 'first-party'] as const)('a %s application: the error is redirected', async (trust) => {
    const app = await t.registerApp({ trust, owner: null });
    const answer = await openAuthorize(stranger(), {
      ...authorizeQuery({ client: app }),
      response_type: 'x',
    });
    expect(answer.status).toBe(302);
    expect(locationParams(answer).get('error')).toBe('unsupported_response_type');
    expect(locationParams(answer).get('iss')).toBe(ISSUER);
  });

  it("errorRedirects: 'all' redirects a user's application's errors too (RFC 6749 §4.1.2.1)", async () => {
    await setUp({ errorRedirects: 'all' });
    const app = await t.registerApp();
    const answer = await openAuthorize(stranger(), {
      ...authorizeQuery({ client: app }),
      response_type: 'x',
    });
    expect(answer.status).toBe(302);
    expect(locationParams(answer).get('error')).toBe('unsupported_response_type');
  });

  it('a bad client or redirect URI is the plain error page for every trust level', async () => {
    const app = await t.registerApp({ trust: 'host', owner: null });
    const answer = await openAuthorize(
      stranger(),
      authorizeQuery({ client: app, redirectUri: 'https://evil.example/' }),
    );
    expectErrorPage(answer, 'invalid_request');
  });

  it('after the decision a deny goes back to a user application as access_denied (RFC 6749 §4.1.2.1)', async () => {
    const app = await t.registerApp();
    const answer = await decide(t.browser(), authorizeQuery({ client: app }), 'deny');
    expect(answer.status).toBe(302);
    expect(locationParams(answer).get('error')).toBe('access_denied');
    expect(locationParams(answer).get('state')).toBe('state-123');
  });

  it('a decision other than approve or deny is not a decision: the page again', async () => {
    const app = await t.registerApp();
    const alice = t.browser();
    const { fields } = await consentPage(alice, authorizeQuery({ client: app }));
    const answer = await postDecision(alice, fields, 'maybe');
    expectReturnPage(answer, 'invalid_request', { host: 'client.example', issuer: ISSUER });
  });
});

describe('RFC 6749 §10.2, RFC 8252 §8.6: a remembered consent is reused only for clients that prove who they are', () => {
  const loopback = (port: number) => `http://127.0.0.1:${port}/callback`;

  it('a public loopback client sees the page every time, whatever port and PKCE pair ask', async () => {
    const native = await t.registerApp({ confidential: false, redirectUris: ['http://127.0.0.1/callback'] });
    const alice = t.browser();
    const first = await decide(
      alice,
      authorizeQuery({ client: native, redirectUri: loopback(50001), scope: 'repo' }),
      'approve',
    );
    expect(locationParams(first).get('code')).toMatch(/^eoc_/);
    // Any local process can ask again from another port with its own PKCE pair.
    const again = await openAuthorize(
      alice,
      authorizeQuery({ client: native, redirectUri: loopback(61234), scope: 'repo', pkce: pkcePair() }),
    );
    expect(again.status).toBe(200);
    expect(again.headers.location).toBeUndefined();
    expect(again.text).toContain('(approved before)');
  });

  it('a confidential client skips the page for what was approved; a first-party one skips it always', async () => {
    const web = await t.registerApp();
    await t.authorize({ client: web, scope: 'repo' });
    const silent = await openAuthorize(t.browser(), authorizeQuery({ client: web, scope: 'public_repo' }));
    expect(silent.status).toBe(302);
    expect(locationParams(silent).get('code')).toMatch(/^eoc_/);

    const mobile = await t.registerApp({ trust: 'first-party', owner: null, confidential: false });
    const first = await openAuthorize(t.browser(), authorizeQuery({ client: mobile, scope: 'repo' }));
    expect(first.status).toBe(302);
    expect(locationParams(first).get('code')).toMatch(/^eoc_/);
    // The skipped consent is still recorded: the user can see and revoke it.
    const grants = await t.provider.grants.listForUser('alice');
    expect(grants.map((grant) => grant.applicationId)).toContain(mobile.id);
  });

  it('a first-party application with skipConsent: false asks once, then remembers, also when public', async () => {
    const mobile = await t.registerApp({
      trust: 'first-party',
      owner: null,
      confidential: false,
      skipConsent: false,
    });
    expect((await openAuthorize(t.browser(), authorizeQuery({ client: mobile }))).status).toBe(200);
    await t.authorize({ client: mobile, scope: 'repo' });
    const again = await openAuthorize(t.browser(), authorizeQuery({ client: mobile, scope: 'repo' }));
    expect(again.status).toBe(302);
  });

  it('prompt=consent always shows the page, also for first-party and remembered clients', async () => {
    const web = await t.registerApp();
    await t.authorize({ client: web, scope: 'repo' });
    const mobile = await t.registerApp({ trust: 'first-party', owner: null });
    for (const client of [web, mobile]) {
      const shown = await openAuthorize(
        t.browser(),
        authorizeQuery({ client, scope: 'repo', extra: { prompt: 'consent' } }),
      );
      expect(shown.status).toBe(200);
    }
  });

  it('prompt=login sends a logged-in user to loginUrl, back to the request without prompt=login', async () => {
    const web = await t.registerApp();
    const answer = await openAuthorize(
      t.browser(),
      authorizeQuery({ client: web, extra: { prompt: 'login consent' } }),
    );
    expect(answer.status).toBe(302);
    const login = new URL(String(answer.headers.location), ISSUER);
    expect(login.pathname).toBe('/login');
    const back = new URL(String(login.searchParams.get('return_to')), ISSUER);
    expect(back.pathname).toBe('/oauth/authorize');
    expect(back.searchParams.get('prompt')).toBe('consent');
    expect(back.searchParams.get('client_id')).toBe(web.clientId);
    // Coming back logged in, the request goes on.
    expect((await t.browser().send(`${back.pathname}${back.search}`)).status).toBe(200);
  });

  it('prompt=none: a code when no page is needed; login_required and consent_required otherwise', async () => {
    const web = await t.registerApp({ trust: 'host', owner: null });
    const none = { prompt: 'none' };
    const anonymous = await openAuthorize(stranger(), authorizeQuery({ client: web, extra: none }));
    expect(locationParams(anonymous).get('error')).toBe('login_required');
    const unconsented = await openAuthorize(
      t.browser(),
      authorizeQuery({ client: web, scope: 'repo', extra: none }),
    );
    expect(locationParams(unconsented).get('error')).toBe('consent_required');
    expect(locationParams(unconsented).get('state')).toBe('state-123');
    await t.authorize({ client: web, scope: 'repo' });
    const silent = await openAuthorize(
      t.browser(),
      authorizeQuery({ client: web, scope: 'repo', extra: none }),
    );
    expect(locationParams(silent).get('code')).toMatch(/^eoc_/);
  });

  it("prompt=none for a user's application answers the page, not a redirect (no open redirect through it)", async () => {
    const app = await t.registerApp({ owner: 'bob', redirectUris: ['https://evil.example/landing'] });
    const query = authorizeQuery({
      client: app,
      redirectUri: 'https://evil.example/landing',
      extra: { prompt: 'none' },
    });
    expectReturnPage(await openAuthorize(stranger(), query), 'login_required', {
      host: 'evil.example',
      issuer: ISSUER,
    });
    expectReturnPage(await openAuthorize(t.browser(), query), 'consent_required', {
      host: 'evil.example',
      issuer: ISSUER,
    });
  });

  it('unknown or conflicting prompt values → invalid_request', async () => {
    const web = await t.registerApp({ trust: 'host', owner: null });
    for (const prompt of ['select_account', 'none login', 'Consent']) {
      const answer = await openAuthorize(t.browser(), authorizeQuery({ client: web, extra: { prompt } }));
      expect(locationParams(answer).get('error')).toBe('invalid_request');
    }
  });
});

describe('RFC 9700 §4.15: machine tokens are not user tokens', () => {
  it('client_credentials may not ask for user-held scopes', async () => {
    const ci = await t.registerApp();
    const answer = await t.token(ci, { grant_type: 'client_credentials', scope: 'repo user gist' });
    expectOAuthError(answer, 400, 'invalid_scope');
  });

  it('a user-less token does not pass a user-held scope: 403 insufficient_scope saying it has no user', async () => {
    const ci = await t.registerApp({ trust: 'host', owner: null });
    // A token a client holds with a user scope (stored by an older version, or a custom grant).
    const { accessToken } = await t.provider.tokens.issueTokens(
      { applicationId: ci.id, userId: null, grantId: null, familyId: null, scopes: ['repo'] },
      false,
    );
    const answer = await request(t.app).post('/api/repos').set('Authorization', bearer(accessToken));
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe('insufficient_scope');
    expect(answer.body.error_description).toMatch(/no user/);
    expect(answer.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(answer.headers['www-authenticate']).toContain('scope="repo"');
  });

  it('a client-held scope: client_credentials gets it, and its route accepts the machine token', async () => {
    const ci = await t.registerApp();
    const answer = await t.token(ci, { grant_type: 'client_credentials', scope: 'ci:status' });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe('ci:status');
    const posted = await t.postWithToken('/api/statuses', answer.body.access_token);
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ user: null, client_id: ci.clientId });
  });

  it('without scope, client_credentials gets the client-held scopes the application may request (or none)', async () => {
    const any = await t.registerApp();
    expect((await t.token(any, { grant_type: 'client_credentials' })).body.scope).toBe('ci:status');
    const usersOnly = await t.registerApp({ scopes: ['repo'] });
    const none = await t.token(usersOnly, { grant_type: 'client_credentials' });
    expect(none.status).toBe(200);
    expect(none.body.scope).toBe('');
    const capped = await t.token(usersOnly, { grant_type: 'client_credentials', scope: 'ci:status' });
    expectOAuthError(capped, 400, 'invalid_scope');
  });

  it('user flows may not ask for client-held scopes: authorization (redirected for a host app) and device', async () => {
    await setUp({
      grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    });
    const web = await t.registerApp({ trust: 'host', owner: null });
    const answer = await openAuthorize(t.browser(), authorizeQuery({ client: web, scope: 'ci:status' }));
    expect(locationParams(answer).get('error')).toBe('invalid_scope');
    const device = await t.postAsClient('/oauth/device/code', web, { scope: 'ci:status' });
    expectOAuthError(device, 400, 'invalid_scope');
  });
});

describe('RFC 8252 §7.1: private-use URI scheme redirects for native apps', () => {
  const native = 'com.example.app:/oauth2redirect';

  async function register(redirectUris: string[], confidential: boolean) {
    return t.provider.applications.create(
      { name: 'Native', homepageUrl: 'https://app.example', redirectUris, confidential, scopes: [] },
      'alice',
    );
  }

  it('a public client registers one in reverse-domain form; it is matched exactly', async () => {
    const { application } = await register([native], false);
    const client = { clientId: application.clientId, clientSecret: null };
    const alice = t.browser();
    const approved = await decide(alice, authorizeQuery({ client, redirectUri: native }), 'approve');
    expect(approved.status).toBe(302);
    expect(String(approved.headers.location).startsWith(`${native}?code=eoc_`)).toBe(true);
    for (const near of [
      'com.example.app:/oauth2redirect/',
      'com.example.app:/other',
      'com.evil.app:/oauth2redirect',
    ]) {
      expectErrorPage(
        await openAuthorize(alice, authorizeQuery({ client, redirectUri: near })),
        'invalid_request',
      );
    }
  });

  it('a confidential client may not register one', async () => {
    await expect(register([native], true)).rejects.toMatchObject({ field: 'redirectUris[0]' });
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,hi',
    'file:///etc/passwd',
    'https:evil.example/cb',
    'https:///evil.example/cb',
    'myapp:/callback',
    'com.example.app:oauth2redirect',
  ])('%s is refused, also for a public client', async (uri) => {
    await expect(register([uri], false)).rejects.toMatchObject({ field: 'redirectUris[0]' });
  });

  it('the settings API refuses a private-use redirect for a confidential application and names the field', async () => {
    const answer = await t.browser().send('/settings/api/applications', {
      json: {
        name: 'Native',
        homepage_url: 'https://app.example',
        redirect_uris: [native],
        confidential: true,
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error_description).toMatch(/^redirect_uris\[0\] uses a private-use URI scheme/);
    const publicApp = await t.browser().send('/settings/api/applications', {
      json: {
        name: 'Native',
        homepage_url: 'https://app.example',
        redirect_uris: [native],
        confidential: false,
      },
    });
    expect(publicApp.status).toBe(201);
    expect(publicApp.body.redirect_uris).toEqual([native]);
  });

  it('the return page of a native app links its own scheme', async () => {
    const { application } = await register([native], false);
    const client = { clientId: application.clientId, clientSecret: null };
    const answer = await openAuthorize(stranger(), {
      ...authorizeQuery({ client, redirectUri: native }),
      response_type: 'x',
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Return to com.example.app');
    expect(answer.text).toContain(`href="${native}?error=unsupported_response_type`);
  });
});

describe('DESIGN: the redirect URI stays the registered one', () => {
  it('the return link is built from the verified redirect URI and the request state only', async () => {
    const app = await t.registerApp();
    const answer = await openAuthorize(stranger(), {
      ...authorizeQuery({ client: app, state: '"><script>' }),
      response_type: 'x',
    });
    expect(answer.text).not.toContain('<script>');
    const params = expectReturnPage(answer, 'unsupported_response_type', {
      host: 'client.example',
      state: '"><script>',
      issuer: ISSUER,
    });
    expect(params.get('error')).toBe('unsupported_response_type');
    expect(answer.text).toContain(`href="${REDIRECT_URI}?error=`);
  });
});
