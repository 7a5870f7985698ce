import OAuth2Server from '@node-oauth/oauth2-server';
import { createOAuth2ServerModel } from '../../lib/oauth2-server';
import { REDIRECT_URI } from '../support/fixtures';
import { basicAuth, pkcePair } from '../support/oauth';
import { createTestHost, type TestHost } from '../support/test-host';

/**
 * `OAuth2Server`'s own `authorize()`, `token()` and `authenticate()`, called as an app without
 * express-oauth-server calls them (its `Request` and `Response`), on
 * `createOAuth2ServerModel(provider)`: the code flow with PKCE, refresh, client credentials, and
 * our guards and its `authenticate()` accepting each other's tokens. On the adapter under test.
 */

type Fields = Record<string, string>;

/** A POST with a form body, as the library's token endpoint requires (RFC 6749 §4.1.3). */
function formRequest(body: Fields, headers: Fields = {}): OAuth2Server.Request {
  const length = String(new URLSearchParams(body).toString().length);
  return new OAuth2Server.Request({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': length, ...headers },
    query: {},
    body,
  });
}

function bearerRequest(token: string): OAuth2Server.Request {
  return new OAuth2Server.Request({
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
    query: {},
  });
}

async function setUp(): Promise<{ host: TestHost; server: OAuth2Server }> {
  const host = await createTestHost();
  const server = new OAuth2Server({
    model: createOAuth2ServerModel(host.provider),
    requireClientAuthentication: { refresh_token: false },
  });
  return { host, server };
}

/** The host's own login, as the library's `authorize()` asks for it. */
const alice = { handle: () => ({ id: 'alice', username: 'alice' }) };

describe('OAuth2Server on createOAuth2ServerModel(provider)', () => {
  it('authorize() → token() → authenticate() with PKCE; our guard and its authenticate() agree', async () => {
    const { host, server } = await setUp();
    const app = await host.registerApp({ confidential: false });
    const pkce = pkcePair();
    const authorizeResponse = new OAuth2Server.Response();
    const code = await server.authorize(
      new OAuth2Server.Request({
        method: 'GET',
        headers: {},
        query: {
          response_type: 'code',
          client_id: app.clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'repo',
          state: 'xyz',
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        },
      }),
      authorizeResponse,
      { authenticateHandler: alice },
    );
    expect(code.authorizationCode).toMatch(/^eoc_/);
    expect(authorizeResponse.status).toBe(302);
    const location = new URL(String(authorizeResponse.get('location')));
    expect(location.searchParams.get('code')).toBe(code.authorizationCode);
    expect(location.searchParams.get('state')).toBe('xyz');

    const tokenResponse = new OAuth2Server.Response();
    const token = await server.token(
      formRequest({
        grant_type: 'authorization_code',
        code: code.authorizationCode,
        client_id: app.clientId,
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce.verifier,
      }),
      tokenResponse,
    );
    expect(token.accessToken).toMatch(/^eoa_/);
    expect(token.scope).toEqual(['repo']);
    expect(tokenResponse.get('cache-control')).toBe('no-store');
    expect(await host.guardStatus(token.accessToken)).toBe(200);
    const authenticated = await server.authenticate(
      bearerRequest(token.accessToken),
      new OAuth2Server.Response(),
      {
        scope: ['public_repo'],
      },
    );
    expect(authenticated.user).toEqual({ id: 'alice' });
    expect(authenticated.client.id).toBe(app.clientId);

    // refresh_token: rotation, and the old one is spent.
    const refreshed = await server.token(
      formRequest({
        grant_type: 'refresh_token',
        refresh_token: String(token.refreshToken),
        client_id: app.clientId,
      }),
      new OAuth2Server.Response(),
    );
    expect(refreshed.refreshToken).toMatch(/^eor_/);
    expect(refreshed.refreshToken).not.toBe(token.refreshToken);
    await expect(
      server.token(
        formRequest({
          grant_type: 'refresh_token',
          refresh_token: String(token.refreshToken),
          client_id: app.clientId,
        }),
        new OAuth2Server.Response(),
      ),
    ).rejects.toMatchObject({ name: 'invalid_grant', code: 400 });
    // …and reusing it revoked the grant's tokens, for both guards.
    expect(await host.guardStatus(refreshed.accessToken)).toBe(401);
    await expect(
      server.authenticate(bearerRequest(refreshed.accessToken), new OAuth2Server.Response()),
    ).rejects.toMatchObject({ name: 'invalid_token', code: 401 });
  });

  it('token() for client credentials with HTTP Basic; authenticate() refuses a scope the token lacks', async () => {
    const { host, server } = await setUp();
    const app = await host.registerApp();
    const token = await server.token(
      formRequest(
        { grant_type: 'client_credentials', scope: 'ci:status' },
        { authorization: basicAuth(app.clientId, app.clientSecret ?? '') },
      ),
      new OAuth2Server.Response(),
    );
    expect(token.refreshToken).toBeUndefined();
    const posted = await host.client.send('/api/statuses', {
      method: 'POST',
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    expect(posted.status).toBe(201);
    // RFC 9700 §4.15: a machine token never passes a user's route.
    expect(await host.guardStatus(token.accessToken, '/api/repos')).toBe(403);
    await expect(
      server.authenticate(bearerRequest(token.accessToken), new OAuth2Server.Response(), { scope: ['repo'] }),
    ).rejects.toMatchObject({ name: 'insufficient_scope', code: 403 });
    // A user-held scope is refused to client_credentials (invalid_scope), as at our endpoint.
    await expect(
      server.token(
        formRequest(
          { grant_type: 'client_credentials', scope: 'public_repo' },
          { authorization: basicAuth(app.clientId, app.clientSecret ?? '') },
        ),
        new OAuth2Server.Response(),
      ),
    ).rejects.toMatchObject({ name: 'invalid_scope' });
  });

  it('authenticate() accepts a token of our router and refuses it once revoked', async () => {
    const { host, server } = await setUp();
    const app = await host.registerApp();
    const { accessToken } = await host.issueTokens({ client: app, scope: 'user' });
    const token = await server.authenticate(bearerRequest(accessToken), new OAuth2Server.Response());
    expect(token.scope).toEqual(['user']);
    expect(token.accessTokenExpiresAt).toBeInstanceOf(Date);
    await host.postAsClient('/oauth/revoke', app, { token: accessToken });
    await expect(
      server.authenticate(bearerRequest(accessToken), new OAuth2Server.Response()),
    ).rejects.toMatchObject({
      name: 'invalid_token',
    });
  });

  it('authenticate() accepts a token that never expires (accessTokenTtl: null), with a date the library can read', async () => {
    const host = await createTestHost({ accessTokenTtl: null });
    const server = new OAuth2Server({ model: createOAuth2ServerModel(host.provider) });
    const app = await host.registerApp();
    const issued = await server.token(
      formRequest(
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(app.clientId, app.clientSecret ?? '') },
      ),
      new OAuth2Server.Response(),
    );
    expect(issued.accessTokenExpiresAt).toBeUndefined();
    const token = await server.authenticate(bearerRequest(issued.accessToken), new OAuth2Server.Response());
    expect(token.accessTokenExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 100 * 365 * 86_400_000);
    const record = await host.provider.tokens.findLiveToken(issued.accessToken, ['access']);
    expect(record?.expiresAt).toBeNull();
  });
});
