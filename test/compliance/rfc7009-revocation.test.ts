/**
 * RFC 7009 (token revocation) at `POST /oauth/revoke`: §2.1 the client authenticates and may
 * revoke only its own tokens; revoking a refresh token also invalidates the access tokens of its
 * grant; `token_type_hint` is only a hint; §2.2 unknown or invalid tokens answer 200; a request
 * without `token` is an RFC 6749 §5.2 `invalid_request`.
 */
import { basicAuth, bearer } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp();
});

function revoke(
  fields: Record<string, string>,
  as: RegisteredApp = client,
  auth: 'basic' | 'body' = 'basic',
) {
  return t.postAsClient('/oauth/revoke', as, fields, auth);
}

describe('RFC 7009 §2.1: client authentication', () => {
  it('without client credentials → 401 invalid_client, and nothing is revoked', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await t.client.send('/oauth/revoke', { form: { token: tokens.accessToken } });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(await t.guardStatus(tokens.accessToken)).toBe(200);
  });

  it('a wrong secret over HTTP Basic → 401 invalid_client with a Basic challenge', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await revoke({ token: tokens.accessToken }, { ...client, clientSecret: 'eos_wrong' });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
    expect(await t.guardStatus(tokens.accessToken)).toBe(200);
  });

  it('a wrong secret in the body → 401 invalid_client', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await revoke(
      { token: tokens.accessToken },
      { ...client, clientSecret: 'wrong' },
      'body',
    );
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(await t.guardStatus(tokens.accessToken)).toBe(200);
  });

  it('a confidential client sending only its client_id → 401 invalid_client', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await t.postAsClient('/oauth/revoke', client, { token: tokens.accessToken }, 'none');
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(await t.guardStatus(tokens.accessToken)).toBe(200);
  });

  it.each(['basic', 'body'] as const)(
    'revokes with %s client authentication → 200, empty body, no-store',
    async (auth) => {
      const tokens = await t.issueTokens({ client, scope: 'repo' });
      const response = await revoke({ token: tokens.accessToken }, client, auth);
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(await t.guardStatus(tokens.accessToken)).toBe(401);
    },
  );

  it('a public client identifies with client_id alone and revokes its own token', async () => {
    const spa = await t.registerApp({ confidential: false });
    const tokens = await t.issueTokens({ client: spa, scope: 'user' });
    const response = await revoke({ token: tokens.refreshToken }, spa);
    expect(response.status).toBe(200);
    expect(await t.guardStatus(tokens.accessToken)).toBe(401);
  });
});

describe('RFC 7009 §2.1: what is revoked', () => {
  it('an access token: the guard refuses it at once (401 invalid_token)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    expect((await revoke({ token: tokens.accessToken })).status).toBe(200);
    const answer = await t.client.send('/api/me', { headers: { authorization: bearer(tokens.accessToken) } });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it("a refresh token: it no longer refreshes, and its grant's access tokens are refused", async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const rotated = await t.refresh(client, first.refreshToken);
    expect(rotated.status).toBe(200);
    // The grant now has two access tokens (the first one and the rotated one), and a second
    // authorization of the same grant adds a pair of its own; another client's grant must survive.
    const second = await t.issueTokens({ client, scope: 'repo' });
    const other = await t.issueTokens({ client: await t.registerApp({ name: 'Other' }), scope: 'repo' });
    expect(await t.guardStatus(first.accessToken)).toBe(200);
    expect(await t.guardStatus(rotated.body.access_token)).toBe(200);

    expect((await revoke({ token: String(rotated.body.refresh_token) })).status).toBe(200);

    const refreshed = await t.refresh(client, String(rotated.body.refresh_token));
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(await t.guardStatus(first.accessToken)).toBe(401);
    expect(await t.guardStatus(rotated.body.access_token)).toBe(401);
    expect(await t.guardStatus(second.accessToken)).toBe(401);
    expect((await t.refresh(client, second.refreshToken)).status).toBe(400);
    expect(await t.guardStatus(other.accessToken)).toBe(200);
  });

  it('revoking again (already revoked) → 200', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    expect((await revoke({ token: tokens.accessToken })).status).toBe(200);
    expect((await revoke({ token: tokens.accessToken })).status).toBe(200);
  });
});

describe('RFC 7009 §2.1: token_type_hint is a hint, not trusted', () => {
  it('hint refresh_token for an access token still revokes the access token', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await revoke({ token: tokens.accessToken, token_type_hint: 'refresh_token' });
    expect(response.status).toBe(200);
    expect(await t.guardStatus(tokens.accessToken)).toBe(401);
  });

  it('hint access_token for a refresh token still revokes the refresh token and its grant', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await revoke({ token: tokens.refreshToken, token_type_hint: 'access_token' });
    expect(response.status).toBe(200);
    expect((await t.refresh(client, tokens.refreshToken)).body.error).toBe('invalid_grant');
    expect(await t.guardStatus(tokens.accessToken)).toBe(401);
  });

  it('an unknown hint value is ignored (the server searches across all its token types)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await revoke({ token: tokens.accessToken, token_type_hint: 'id_token' });
    expect(response.status).toBe(200);
    expect(await t.guardStatus(tokens.accessToken)).toBe(401);
  });
});

describe('RFC 7009 §2.2: unknown, invalid and foreign tokens answer 200 and revoke nothing', () => {
  it('an unknown token of a valid format → 200', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const unknown = t.provider.options.tokens.generate('access');
    expect((await revoke({ token: unknown })).status).toBe(200);
    expect(await t.guardStatus(tokens.accessToken)).toBe(200);
  });

  it.each(['garbage', 'eoa_', '🙂'.repeat(10), 'x'.repeat(2000)])(
    'a garbage string (%#) → 200',
    async (token) => {
      const tokens = await t.issueTokens({ client, scope: 'repo' });
      expect((await revoke({ token })).status).toBe(200);
      expect(await t.guardStatus(tokens.accessToken)).toBe(200);
    },
  );

  it("another client's access or refresh token → 200, and that token keeps working", async () => {
    const other = await t.registerApp({ name: 'Other App' });
    const theirs = await t.issueTokens({ client: other, scope: 'repo' });
    expect((await revoke({ token: theirs.accessToken })).status).toBe(200);
    expect((await revoke({ token: theirs.refreshToken })).status).toBe(200);
    expect(await t.guardStatus(theirs.accessToken)).toBe(200);
    const refreshed = await t.refresh(other, theirs.refreshToken);
    expect(refreshed.status).toBe(200);
  });

  it("a user's personal access token is not a client's to revoke → 200, still works", async () => {
    const pat = await t.provider.personalTokens.create('alice', 'laptop', ['repo'], null);
    expect((await revoke({ token: pat.token })).status).toBe(200);
    expect(await t.guardStatus(pat.token)).toBe(200);
  });
});

describe('RFC 6749 §5.2: malformed revocation requests', () => {
  it('a missing token parameter → 400 invalid_request', async () => {
    const response = await revoke({});
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('an empty token parameter → 400 invalid_request', async () => {
    const response = await revoke({ token: '' });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('a JSON body is accepted like a form', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const response = await t.client.send('/oauth/revoke', {
      json: { token: tokens.accessToken },
      headers: { authorization: basicAuth(client.clientId, String(client.clientSecret)) },
    });
    expect(response.status).toBe(200);
    expect(await t.guardStatus(tokens.accessToken)).toBe(401);
  });
});
