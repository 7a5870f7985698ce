import { createHash } from 'node:crypto';
import { EXAMPLE_USERS, REDIRECT_URI } from '../support/fixtures';
import { introspect } from '../support/flows';
import { bearer, pkcePair } from '../support/oauth';
import { createLegacyHost, LEGACY, type LegacyHost } from '../support/oauth2-server-host';

/**
 * Issue 16, both ways: `@node-oauth/express-oauth-server`'s middleware on
 * `createOAuth2ServerModel(provider)` serves the code (+ PKCE), refresh, client credentials and
 * password grants (RFC 6749 §4.1, §6, §4.4, §4.3) with our token format, scopes and consents;
 * its tokens pass our guards and introspection, and our router's tokens pass its
 * `authenticate()`. On the adapter under test.
 */

const ACCESS = /^eoa_[0-9A-Za-z]{38}$/;
/**
 * Our 7200-second lifetime: the library counts `expires_in` down from the stored expiry, in whole
 * seconds, so it is 7200 less the seconds the request took.
 */
const EXPIRES_IN = {
  asymmetricMatch: (value: unknown) => typeof value === 'number' && value <= 7200 && value > 7200 - 60,
  toString: () => 'the lifetime 7200 counted down',
};
const REFRESH = /^eor_[0-9A-Za-z]{38}$/;

/** Our guard, our introspection (as the client the token was issued to) and the library's guard, for one token. */
async function expectAcceptedEverywhere(
  host: LegacyHost,
  token: string,
  introspector: { clientId: string; clientSecret: string | null },
): Promise<void> {
  expect(await host.guardStatus(token)).toBe(200);
  if (introspector.clientSecret !== null) {
    const answer = await introspect(host.client, introspector, token);
    expect(answer.body).toMatchObject({ active: true, client_id: introspector.clientId });
  }
  expect((await host.legacyApi(token)).status).toBe(200);
}

describe('express-oauth-server on createOAuth2ServerModel(provider)', () => {
  it('runs the code flow with PKCE for a public client: our tokens, our scopes, a recorded consent', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false });
    const events: string[] = [];
    host.provider.events.on('authorization.granted', () => events.push('authorization.granted'));
    host.provider.events.on('token.issued', (event) => events.push(`token.issued:${event.grantType}`));

    const { code, verifier } = await host.legacyCode({ client: app, scope: 'repo public_repo' });
    expect(code).toMatch(/^eoc_/);
    const answer = await host.legacyExchange({ client: app, code, verifier });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(ACCESS),
      token_type: 'Bearer',
      expires_in: EXPIRES_IN,
      refresh_token: expect.stringMatching(REFRESH),
      // GitHub-style normalisation, as our router grants it: repo includes public_repo.
      scope: 'repo',
    });
    const accessToken = String(answer.body.access_token);
    const me = await host.legacyApi(accessToken);
    expect(me.body).toEqual({ user: { id: 'alice' }, client_id: app.clientId, scope: ['repo'] });
    expect(await host.guardStatus(accessToken)).toBe(200);
    // Only SHA-256 hashes are stored.
    const hash = createHash('sha256').update(accessToken).digest('hex');
    expect((await host.adapter.findTokenByHash(hash))?.kind).toBe('access');
    // The approval is the user's grant, listed in the settings and revocable there.
    const grants = await host.provider.grants.listForUser('alice');
    expect(grants.map((grant) => [grant.applicationId, grant.scopes])).toEqual([[app.id, ['repo']]]);
    expect(events).toEqual(['authorization.granted', 'token.issued:authorization_code']);
    await host.provider.grants.revoke('alice', app.application);
    expect(await host.guardStatus(accessToken)).toBe(401);
    expect((await host.legacyApi(accessToken)).status).toBe(401);
  });

  it('reads scopes as our authorization endpoint does: commas too, undeclared ones refused', async () => {
    const host = await createLegacyHost({ defaultScopes: ['user'] });
    const app = await host.registerApp({ scopes: ['user', 'repo'] });
    const { code } = await host.legacyCode({ client: app, scope: 'user,public_repo' });
    const answer = await host.legacyExchange({ client: app, code });
    expect(answer.body.scope).toBe('user public_repo');
    // No scope: the provider's defaultScopes.
    const byDefault = await host.legacyIssueTokens({ client: app });
    expect(byDefault.body.scope).toBe('user');
    for (const scope of ['admin', 'gist']) {
      // Undeclared, or declared but not one the application may request.
      const refused = await host.openLegacyAuthorize({ client: app, scope });
      expect([refused.status, refused.body.error]).toEqual([400, 'invalid_scope']);
    }
  });

  it('runs the code flow for a confidential client with its secret; its tokens pass our guards and introspection', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    for (const auth of ['basic', 'body'] as const) {
      const { code } = await host.legacyCode({ client: app, scope: 'user' });
      const answer = await host.legacyExchange({ client: app, code, auth });
      expect(answer.status).toBe(200);
      await expectAcceptedEverywhere(host, String(answer.body.access_token), app);
    }
  });

  it('refreshes with rotation; the new tokens pass everywhere, a narrower scope counts inclusions', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const first = await host.legacyIssueTokens({ client: app, scope: 'repo' });
    const refreshed = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
      scope: 'public_repo',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({
      scope: 'public_repo',
      refresh_token: expect.stringMatching(REFRESH),
    });
    expect(refreshed.body.refresh_token).not.toBe(first.refreshToken);
    const narrowed = String(refreshed.body.access_token);
    await expectAcceptedEverywhere(host, narrowed, app);
    expect(
      (await host.client.send('/api/repos', { headers: { authorization: bearer(narrowed) } })).status,
    ).toBe(200);
    expect(
      (await host.client.send('/api/gists', { method: 'POST', headers: { authorization: bearer(narrowed) } }))
        .status,
    ).toBe(403);
    // The rotated refresh token keeps the scope of the one presented (RFC 6749 §6).
    const again = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.body.refresh_token),
    });
    expect(again.status).toBe(200);
    expect(again.body.scope).toBe('repo');
  });

  it('lets a public client refresh with client_id alone (requireClientAuthentication.refresh_token = false)', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false });
    const { refreshToken } = await host.legacyIssueTokens({ client: app, scope: 'user' });
    const answer = await host.legacyToken(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(answer.status).toBe(200);
    expect(await host.guardStatus(answer.body.access_token)).toBe(200);
  });

  it('issues client credentials tokens to a confidential client only, without a refresh token or a user', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ scopes: ['public_repo', 'ci:status'] });
    const answer = await host.legacyToken(app, { grant_type: 'client_credentials' });
    expect(answer.status).toBe(200);
    // RFC 9700 §4.15: without a scope, the client-held scopes the application may hold.
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(ACCESS),
      token_type: 'Bearer',
      expires_in: EXPIRES_IN,
      scope: 'ci:status',
    });
    const token = String(answer.body.access_token);
    await expectAcceptedEverywhere(host, token, app);
    const ours = await host.client.send('/api/me', { headers: { authorization: bearer(token) } });
    expect(ours.body).toEqual({ user: null, client_id: app.clientId, scopes: ['ci:status'] });
    const theirs = await host.legacyApi(token);
    expect(theirs.body.user).toEqual({ kind: 'client', clientId: app.clientId, name: 'Test App' });
    // A user-held scope, even one the application may request: invalid_scope, as at our endpoint.
    const userScope = await host.legacyToken(app, { grant_type: 'client_credentials', scope: 'public_repo' });
    expect([userScope.status, userScope.body.error]).toEqual([400, 'invalid_scope']);
    // Beyond what the application may request: invalid_scope.
    const narrow = await host.registerApp({ scopes: ['public_repo'] });
    const wider = await host.legacyToken(narrow, { grant_type: 'client_credentials', scope: 'ci:status' });
    expect([wider.status, wider.body.error]).toEqual([400, 'invalid_scope']);
    // A public client has no client_credentials grant.
    const spa = await host.registerApp({ confidential: false });
    const refused = await host.legacyToken(spa, { grant_type: 'client_credentials' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.access_token).toBeUndefined();
  });

  it('refreshes within what the application may request now: a narrowed one drops the rest, as ours does', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const { refreshToken } = await host.legacyIssueTokens({ client: app, scope: 'repo user' });
    await host.provider.applications.update(app.id, { scopes: ['user'] });
    const refreshed = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect([refreshed.status, refreshed.body.scope]).toEqual([200, 'user']);
    // The new refresh token carries the narrowed grant too.
    const again = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.body.refresh_token),
    });
    expect([again.status, again.body.scope]).toEqual([200, 'user']);
    // Asking for a scope the application may no longer request: invalid_scope.
    const { refreshToken: other } = await host.legacyIssueTokens({ client: app, scope: 'user' });
    await host.provider.applications.update(app.id, { scopes: ['gist'] });
    const nothing = await host.legacyToken(app, { grant_type: 'refresh_token', refresh_token: other });
    expect([nothing.status, nothing.body.error]).toEqual([400, 'invalid_scope']);
  });

  it('runs the password grant through verifyPassword, recording the grant; a refusal carries its reason', async () => {
    const host = await createLegacyHost({
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
      verifyPassword: (username, password) => {
        if (username === 'carol') return { refused: 'Two-factor authentication is required' };
        return username === 'alice' && password === EXAMPLE_USERS.alice.password ? { id: 'alice' } : null;
      },
    });
    const app = await host.registerApp();
    const form = {
      grant_type: 'password',
      username: 'alice',
      password: EXAMPLE_USERS.alice.password,
      scope: 'user',
    };
    const answer = await host.legacyToken(app, form);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ scope: 'user', refresh_token: expect.stringMatching(REFRESH) });
    await expectAcceptedEverywhere(host, String(answer.body.access_token), app);
    expect((await host.provider.grants.listForUser('alice')).map((grant) => grant.scopes)).toEqual([
      ['user'],
    ]);
    const wrong = await host.legacyToken(app, { ...form, password: 'nope' });
    expect([wrong.status, wrong.body.error]).toEqual([400, 'invalid_grant']);
    const refused = await host.legacyToken(app, { ...form, username: 'carol' });
    expect(refused.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Two-factor authentication is required',
    });
  });

  it('has no password grant unless the provider enables it', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const answer = await host.legacyToken(app, { grant_type: 'password', username: 'alice', password: 'x' });
    expect([answer.status, answer.body.error]).toEqual([400, 'unauthorized_client']);
  });

  it("accepts our router's tokens and personal tokens in its authenticate(), with inclusions counted", async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const { accessToken } = await host.issueTokens({ client: app, scope: 'repo' });
    const me = await host.legacyApi(accessToken);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: 'alice' }, client_id: app.clientId, scope: ['repo'] });
    // authenticate({ scope: ['public_repo'] }) with a `repo` token: repo includes public_repo.
    const repos = await host.legacyApi(accessToken, `${LEGACY}/api/repos`);
    expect(repos.status).toBe(200);
    const { token: personal } = await host.provider.personalTokens.create('bob', 'script', ['user'], null);
    const byPersonal = await host.legacyApi(personal);
    expect(byPersonal.body).toEqual({ user: { id: 'bob' }, client_id: '', scope: ['user'] });
    expect((await host.legacyApi(personal, `${LEGACY}/api/repos`)).status).toBe(403);
    // Revoked through our revocation endpoint: refused by the library too.
    await host.postAsClient('/oauth/revoke', app, { token: accessToken });
    expect((await host.legacyApi(accessToken)).status).toBe(401);
  });

  it("redeems the library's codes at our token endpoint, so the token route can move first", async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false });
    const { code, verifier } = await host.legacyCode({ client: app, scope: 'repo' });
    // Ours wants the redirect URI the library bound the code to, and the verifier.
    const answer = await host.exchange({ client: app, code, verifier });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: 'repo' });
    expect((await host.legacyApi(answer.body.access_token)).status).toBe(200);
    expect((await host.legacyExchange({ client: app, code, verifier })).body.error).toBe('invalid_grant');
  });

  it("redeems our router's codes at the library's token endpoint, so the authorization route can move first", async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false });
    const pkce = pkcePair();
    const code = await host.authorize({ client: app, scope: 'user', pkce });
    const answer = await host.legacyExchange({ client: app, code, verifier: pkce.verifier });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe('user');
    expect(await host.guardStatus(answer.body.access_token)).toBe(200);
  });

  it('carries a client over with its client_id and the SHA-256 of its secret (README, step 1: `clients`)', async () => {
    // As the README's migration step does: the old client as a configured client, its secret as
    // the SHA-256 hex of the old one (no plain secret in the configuration).
    const host = await createLegacyHost({
      clients: [
        {
          clientId: 'legacy-ci',
          clientSecretHash: createHash('sha256').update('the-old-secret').digest('hex'),
          name: 'Legacy CI',
          homepageUrl: 'https://ci.example',
          redirectUris: [REDIRECT_URI],
          confidential: true,
        },
      ],
    });
    const stored = await host.adapter.findApplicationByClientId('legacy-ci');
    expect([stored?.trust, stored?.ownerId]).toEqual(['host', null]);
    const carried = { clientId: 'legacy-ci', clientSecret: 'the-old-secret' };
    // RFC 9700 §4.15: the machine token gets the client-held scopes, through either door.
    const theirs = await host.legacyToken(carried, { grant_type: 'client_credentials' });
    expect([theirs.status, theirs.body.scope]).toEqual([200, 'ci:status']);
    const ours = await host.token(carried, { grant_type: 'client_credentials' });
    expect([ours.status, ours.body.scope]).toEqual([200, 'ci:status']);
    const wrong = await host.token(
      { ...carried, clientSecret: 'not-it' },
      { grant_type: 'client_credentials' },
    );
    expect(wrong.status).toBe(401);
  });

  it('requires a code challenge from a public client (plain refused), not from a confidential one', async () => {
    const host = await createLegacyHost();
    const spa = await host.registerApp({ confidential: false });
    const answer = await host.openLegacyAuthorize({ client: spa, pkce: null });
    // express-oauth-server answers an error after the client is known with its status and a
    // Location carrying the error, not with a redirect.
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_request']);
    const location = new URL(answer.headers.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
    const web = await host.registerApp();
    const ok = await host.openLegacyAuthorize({ client: web, pkce: null });
    expect(new URL(ok.location ?? '').searchParams.get('code')).toMatch(/^eoc_/);
    const plain = pkcePair();
    const refusedPlain = await host.openLegacyAuthorize({
      client: spa,
      pkce: null,
      extra: { code_challenge: plain.verifier, code_challenge_method: 'plain' },
    });
    expect([refusedPlain.status, refusedPlain.body.error]).toEqual([400, 'invalid_request']);
    expect(await host.adapter.listTokens({ kind: 'code', applicationId: spa.id })).toEqual([]);
  });
});
