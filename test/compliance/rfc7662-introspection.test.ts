/**
 * RFC 7662 (token introspection) at `POST /oauth/introspect`: §2.1 the caller authenticates (here:
 * as a confidential client, §4 "the protected resource MUST authenticate"); §2.2 an active token's
 * metadata, and exactly `{ "active": false }` for anything that is not active, including tokens the
 * caller may not see (§4: the server decides who may introspect what; `canIntrospect`).
 */
import type { ApplicationRecord, TokenRecord } from '../../lib/storage/storage-adapter';
import { ISSUER } from '../support/fixtures';
import { createTestHost, type HostOptions, type RegisteredApp, type TestHost } from '../support/test-host';

const findUser = (id: string) => ({ id, username: `${id}-login` });

let t: TestHost;
let client: RegisteredApp;

async function setUp(options: HostOptions = {}): Promise<void> {
  t = await createTestHost({ findUser, ...options });
  client = await t.registerApp();
}

beforeEach(() => setUp());

async function introspect(token: string, as: RegisteredApp = client, fields: Record<string, string> = {}) {
  const response = await t.postAsClient('/oauth/introspect', as, { token, ...fields });
  expect(response.status).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  return response.body;
}

describe('RFC 7662 §2.1: the caller authenticates as a confidential client', () => {
  it('without credentials → 401 invalid_client', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await t.client.send('/oauth/introspect', { form: { token: tokens.accessToken } });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it('a wrong secret → 401 invalid_client (Basic: with a Basic challenge)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await t.postAsClient(
      '/oauth/introspect',
      { ...client, clientSecret: 'nope' },
      {
        token: tokens.accessToken,
      },
    );
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('a public client (client_id only) → 401 invalid_client, even for its own token', async () => {
    const spa = await t.registerApp({ confidential: false });
    const tokens = await t.issueTokens({ client: spa, scope: 'user' });
    const response = await t.postAsClient('/oauth/introspect', spa, { token: tokens.accessToken });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.body).not.toHaveProperty('active');
  });

  it('body credentials work as well as Basic', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await t.postAsClient('/oauth/introspect', client, { token: tokens.accessToken }, 'body');
    expect(response.status).toBe(200);
    expect(response.body.active).toBe(true);
  });

  it('a missing token parameter → 400 invalid_request', async () => {
    const response = await t.postAsClient('/oauth/introspect', client, {});
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });
});

describe('RFC 7662 §2.2: an active token', () => {
  it('an access token → active with scope, client_id, username, sub, token_type, exp, iat', async () => {
    const before = Math.floor(Date.now() / 1000);
    const tokens = await t.issueTokens({ client, scope: 'repo gist' });
    const after = Math.ceil(Date.now() / 1000);
    const body = await introspect(tokens.accessToken);
    expect(body).toEqual({
      active: true,
      scope: 'repo gist',
      client_id: client.clientId,
      username: 'alice-login',
      sub: 'alice',
      // §2.2: the RFC 6749 §5.1 token type, as the token response said.
      token_type: 'bearer',
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: ISSUER,
    });
    expect(body.iat).toBeGreaterThanOrEqual(before);
    expect(body.iat).toBeLessThanOrEqual(after);
    expect(body.exp).toBe(Number(body.iat) + 7200);
  });

  it('token_type_hint is only a hint: a wrong hint still finds the token', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const body = await introspect(tokens.accessToken, client, { token_type_hint: 'refresh_token' });
    expect(body.active).toBe(true);
  });

  it('a refresh token → active, with its scope and no access token type (it is not a bearer token)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const body = await introspect(tokens.refreshToken);
    expect(body.active).toBe(true);
    expect(body.scope).toBe('repo');
    expect(body.client_id).toBe(client.clientId);
    expect(body.sub).toBe('alice');
    expect(body).not.toHaveProperty('token_type');
    // 30 days by default.
    expect(Number(body.exp) - Number(body.iat)).toBe(30 * 24 * 3600);
  });

  it('a rotated (used) refresh token is no longer active', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    expect((await t.refresh(client, tokens.refreshToken)).status).toBe(200);
    expect(await introspect(tokens.refreshToken)).toEqual({ active: false });
  });

  it('a client_credentials token: no user, sub is the client', async () => {
    const response = await t.token(client, { grant_type: 'client_credentials', scope: 'ci:status' });
    const body = await introspect(String(response.body.access_token));
    expect(body.active).toBe(true);
    expect(body.sub).toBe(client.clientId);
    expect(body).not.toHaveProperty('username');
  });

  it('a non-expiring token (accessTokenTtl: null) → active without exp', async () => {
    await setUp({ accessTokenTtl: null });
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const body = await introspect(tokens.accessToken);
    expect(body.active).toBe(true);
    expect(body).not.toHaveProperty('exp');
    expect(body.iat).toEqual(expect.any(Number));
  });
});

describe('RFC 7662 §2.2: anything not active is exactly { "active": false }', () => {
  it('an expired access token', async () => {
    const threeHoursAgo = new Date(Date.now() - 3 * 3600 * 1000);
    const subject = {
      applicationId: client.application.id,
      userId: 'alice',
      grantId: null,
      familyId: null,
      scopes: ['repo'],
    };
    const issued = await t.provider.tokens.issueTokens(subject, false, threeHoursAgo);
    expect(await introspect(issued.accessToken)).toEqual({ active: false });
  });

  it('a revoked access token', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const revoked = await t.postAsClient('/oauth/revoke', client, { token: tokens.accessToken });
    expect(revoked.status).toBe(200);
    expect(await introspect(tokens.accessToken)).toEqual({ active: false });
  });

  it('an unknown token of a valid format', async () => {
    expect(await introspect(t.provider.options.tokens.generate('access'))).toEqual({ active: false });
  });

  it.each(['garbage', 'eoa_short', 'Bearer x', '\u0000'])('a garbage string (%j)', async (token) => {
    expect(await introspect(token)).toEqual({ active: false });
  });

  it('an authorization code or a client secret is not an introspectable token', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    expect(await introspect(code)).toEqual({ active: false });
    expect(await introspect(String(client.clientSecret))).toEqual({ active: false });
  });
});

describe("RFC 7662 §4: another client's tokens", () => {
  it("another client's token → inactive by default, indistinguishable from an unknown one", async () => {
    const other = await t.registerApp({ name: 'Other' });
    const theirs = await t.issueTokens({ client: other, scope: 'repo' });
    expect(await introspect(theirs.accessToken)).toEqual({ active: false });
    expect(await introspect(theirs.refreshToken)).toEqual({ active: false });
    // The owner still sees it active.
    expect((await introspect(theirs.accessToken, other)).active).toBe(true);
  });

  it('active when canIntrospect allows it; canIntrospect gets the caller and the token record', async () => {
    const calls: { caller: ApplicationRecord; token: TokenRecord }[] = [];
    let resourceServerId = '';
    await setUp({
      canIntrospect: (caller, token) => {
        calls.push({ caller, token });
        return caller.id === resourceServerId || token.applicationId === caller.id;
      },
    });
    const resourceServer = await t.registerApp({ name: 'Resource server' });
    resourceServerId = resourceServer.application.id;
    const tokens = await t.issueTokens({ client, scope: 'gist' });

    const body = await introspect(tokens.accessToken, resourceServer);
    expect(body).toMatchObject({
      active: true,
      client_id: client.clientId,
      scope: 'gist',
      sub: 'alice',
      username: 'alice-login',
      token_type: 'bearer',
    });
    const last = calls[calls.length - 1];
    expect(last?.caller.clientId).toBe(resourceServer.clientId);
    expect(last?.token.kind).toBe('access');
    expect(last?.token.applicationId).toBe(client.application.id);

    // A third client that the hook does not allow still sees nothing.
    const third = await t.registerApp({ name: 'Third' });
    expect(await introspect(tokens.accessToken, third)).toEqual({ active: false });
  });

  it('canIntrospect is never asked about a token that is not active', async () => {
    const canIntrospect = jest.fn(() => true);
    await setUp({ canIntrospect });
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    await t.postAsClient('/oauth/revoke', client, { token: tokens.accessToken });
    expect(await introspect(tokens.accessToken)).toEqual({ active: false });
    expect(canIntrospect).not.toHaveBeenCalled();
  });
});

describe('RFC 7662 §2.2: personal access tokens', () => {
  it('inactive by default: a personal token was issued to no client', async () => {
    const pat = await t.provider.personalTokens.create('alice', 'ci', ['repo'], null);
    expect(await introspect(pat.token)).toEqual({ active: false });
  });

  it('active when canIntrospect allows personal tokens: user, scope, bearer type, no client_id', async () => {
    await setUp({
      canIntrospect: (caller, token) => token.kind === 'personal' || token.applicationId === caller.id,
    });
    const pat = await t.provider.personalTokens.create('alice', 'ci', ['repo', 'gist'], 3600);
    const body = await introspect(pat.token);
    expect(body).toEqual({
      active: true,
      scope: 'repo gist',
      username: 'alice-login',
      sub: 'alice',
      token_type: 'bearer',
      exp: Number(body.iat) + 3600,
      iat: expect.any(Number),
      iss: ISSUER,
    });
    expect(body).not.toHaveProperty('client_id');
  });

  it('a revoked personal token is inactive even when canIntrospect allows it', async () => {
    await setUp({ canIntrospect: () => true });
    const pat = await t.provider.personalTokens.create('alice', 'ci', ['repo'], null);
    await t.provider.personalTokens.revoke('alice', pat.record.id);
    expect(await introspect(pat.token)).toEqual({ active: false });
  });
});
