import { advanceClock, freezeClock } from '../support/clock';
import { REDIRECT_URI } from '../support/fixtures';
import { pkcePair } from '../support/oauth';
import { createLegacyHost } from '../support/oauth2-server-host';
import { StorageTrap } from '../support/outage';

/**
 * Issue 16 point 2: the traps of `@node-oauth/oauth2-server` 5.3 (FINDINGS.md), each closed inside
 * `createOAuth2ServerModel`, and our guarantees kept where that library's order of operations
 * would weaken them: codes single-use atomically and consumed only after the tokens are stored
 * (RFC 6749 §4.1.2), a code replay revoking what it issued, refresh rotation with reuse detection
 * (RFC 9700 §4.14.2). On the adapter under test.
 */

describe('trap: a confidential client authenticated by client_id and any code_verifier', () => {
  it.each([
    ['by default', {}],
    ['with requireClientAuthentication.authorization_code = false', { authorization_code: false }],
  ])(
    'refuses it %s, and the code stays redeemable with the secret',
    async (_label, requireClientAuthentication) => {
      const host = await createLegacyHost({
        serverOptions: {
          requireClientAuthentication: { refresh_token: false, ...requireClientAuthentication },
        },
      });
      const asked: [string, unknown][] = [];
      const getClient = host.model.getClient;
      host.model.getClient = (clientId: string, clientSecret: string) => {
        asked.push([clientId, clientSecret]);
        return getClient(clientId, clientSecret);
      };
      const app = await host.registerApp();
      const pkce = pkcePair();
      const { code } = await host.legacyCode({ client: app, pkce });
      const withoutSecret = await host.legacyExchange({
        client: app,
        code,
        verifier: pkce.verifier,
        auth: 'none',
      });
      // The library let the request through to the model with no secret at all…
      expect(asked).toContainEqual([app.clientId, undefined]);
      // …and the model refused the confidential client.
      expect([withoutSecret.status, withoutSecret.body.error]).toEqual([400, 'invalid_client']);
      expect(withoutSecret.body.access_token).toBeUndefined();
      expect(await host.adapter.listTokens({ kind: 'access', applicationId: app.id })).toEqual([]);
      const wrongSecret = await host.legacyExchange({
        client: { ...app, clientSecret: 'eos_not-the-secret' },
        code,
        verifier: pkce.verifier,
      });
      expect([wrongSecret.status, wrongSecret.body.error]).toEqual([401, 'invalid_client']);
      const withSecret = await host.legacyExchange({ client: app, code, verifier: pkce.verifier });
      expect(withSecret.status).toBe(200);
    },
  );

  it('refuses client credentials without the secret even when the host waives client authentication', async () => {
    const host = await createLegacyHost({
      serverOptions: { requireClientAuthentication: { client_credentials: false } },
    });
    const app = await host.registerApp();
    const answer = await host.legacyToken(app, { grant_type: 'client_credentials' }, 'none');
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_client']);
  });

  it('lets a public client in with client_id alone, and never with a secret', async () => {
    const host = await createLegacyHost();
    const spa = await host.registerApp({ confidential: false });
    expect(await host.model.getClient(spa.clientId, undefined as unknown as string)).toMatchObject({
      id: spa.clientId,
      confidential: false,
    });
    expect(await host.model.getClient(spa.clientId, 'a-secret')).toBe(false);
  });
});

describe('trap: a string redirectUris gets substring matching', () => {
  it('hands the library arrays only: redirectUris, grants, and every scope', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ redirectUris: [REDIRECT_URI, 'http://127.0.0.1/cb'] });
    const client = await host.model.getClient(app.clientId, app.clientSecret ?? '');
    if (!client) throw new Error('the client was refused');
    expect(client.redirectUris).toEqual([REDIRECT_URI, 'http://127.0.0.1/cb']);
    expect(client.grants).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    const { accessToken, refreshToken } = await host.legacyIssueTokens({ client: app, scope: 'repo user' });
    const token = await host.model.getAccessToken(accessToken);
    expect(token ? token.scope : token).toEqual(['repo', 'user']);
    const refresh = await host.model.getRefreshToken(refreshToken);
    expect(refresh ? Array.isArray(refresh.scope) : refresh).toBe(true);
  });

  it.each([
    ['a prefix', 'https://client.example/call'],
    ['a longer path', 'https://client.example/callback/evil'],
    ['an added query', 'https://client.example/callback?next=https://evil.example'],
    ['another host', 'https://client.example.evil.example/callback'],
    ['a loopback port of an https URI', 'https://client.example:8443/callback'],
  ])(
    'refuses %s of the registered URI at authorize, without a redirect or a code',
    async (_label, redirectUri) => {
      const host = await createLegacyHost();
      const app = await host.registerApp();
      const answer = await host.openLegacyAuthorize({ client: app, redirectUri });
      expect([answer.status, answer.body.error]).toEqual([400, 'invalid_client']);
      expect(answer.headers.location).toBeUndefined();
      expect(await host.adapter.listTokens({ kind: 'code', applicationId: app.id })).toEqual([]);
    },
  );

  it('matches an http loopback IP literal on any port (RFC 8252 §7.3), as our authorization endpoint does', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false, redirectUris: ['http://127.0.0.1/cb'] });
    const redirectUri = 'http://127.0.0.1:51234/cb';
    const pkce = pkcePair();
    const { code } = await host.legacyCode({ client: app, redirectUri, pkce });
    const elsewhere = await host.legacyExchange({
      client: app,
      code,
      verifier: pkce.verifier,
      redirectUri: 'http://127.0.0.1:1/cb',
    });
    expect([elsewhere.status, elsewhere.body.error]).toEqual([400, 'invalid_request']);
    const answer = await host.legacyExchange({ client: app, code, verifier: pkce.verifier, redirectUri });
    expect(answer.status).toBe(200);
  });
});

describe('codes: single use, consumed after the tokens are stored', () => {
  it('refuses a replayed code and revokes the tokens it issued (RFC 6749 §4.1.2)', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const reused: unknown[] = [];
    host.provider.events.on('code.reused', (event) => reused.push(event));
    const { code } = await host.legacyCode({ client: app });
    const first = await host.legacyExchange({ client: app, code });
    expect(first.status).toBe(200);
    const replay = await host.legacyExchange({ client: app, code });
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
    expect(await host.guardStatus(first.body.access_token)).toBe(401);
    expect((await host.legacyApi(first.body.access_token)).status).toBe(401);
    const refresh = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expect([refresh.status, refresh.body.error]).toEqual([400, 'invalid_grant']);
    expect(reused).toEqual([{ clientId: app.clientId, userId: 'alice' }]);
  });

  it('revokes what a code issued when it is replayed after its own lifetime (the library checks expiry first)', async () => {
    freezeClock();
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const { code } = await host.legacyCode({ client: app });
    const first = await host.legacyExchange({ client: app, code });
    expect(first.status).toBe(200);
    advanceClock(601);
    const replay = await host.legacyExchange({ client: app, code });
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
    expect(await host.guardStatus(first.body.access_token)).toBe(401);
  });

  it("refuses an unused code after its lifetime (authorizationCodeTtl, not the library's own)", async () => {
    freezeClock();
    const host = await createLegacyHost({ authorizationCodeTtl: 60 });
    const app = await host.registerApp();
    const { code } = await host.legacyCode({ client: app });
    advanceClock(61);
    const late = await host.legacyExchange({ client: app, code });
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('lets exactly one of concurrent exchanges of one code win; the losers are replays', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const { code } = await host.legacyCode({ client: app });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => host.legacyExchange({ client: app, code })),
    );
    const won = answers.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of answers.filter((answer) => answer.status !== 200)) {
      expect([lost.status, lost.body.error]).toEqual([400, 'invalid_grant']);
    }
    // A code presented twice revokes what it issued, the winner's tokens too.
    expect(await host.guardStatus(won[0]?.body.access_token)).toBe(401);
    const live = (await host.adapter.listTokens({ kind: 'access', applicationId: app.id })).filter(
      (record) => record.revokedAt === null,
    );
    expect(live).toEqual([]);
  });

  it("does not let another client's replay revoke the tokens of the code's client", async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const other = await host.registerApp({ name: 'Other' });
    const { code } = await host.legacyCode({ client: app });
    const first = await host.legacyExchange({ client: app, code });
    const foreign = await host.legacyExchange({ client: other, code });
    expect([foreign.status, foreign.body.error]).toEqual([400, 'invalid_grant']);
    expect(await host.guardStatus(first.body.access_token)).toBe(200);
  });

  it('keeps the code redeemable after a wrong code_verifier or redirect_uri (the library alone burns it)', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false });
    const pkce = pkcePair();
    const { code } = await host.legacyCode({ client: app, pkce });
    const wrongVerifier = await host.legacyExchange({ client: app, code, verifier: pkcePair().verifier });
    expect([wrongVerifier.status, wrongVerifier.body.error]).toEqual([400, 'invalid_grant']);
    const wrongRedirect = await host.legacyExchange({
      client: app,
      code,
      verifier: pkce.verifier,
      redirectUri: 'https://client.example/other',
    });
    expect([wrongRedirect.status, wrongRedirect.body.error]).toEqual([400, 'invalid_request']);
    const right = await host.legacyExchange({ client: app, code, verifier: pkce.verifier });
    expect(right.status).toBe(200);
  });

  it.each([
    ['while the tokens are stored', 'insertToken'],
    ['after the tokens are stored, before the code is consumed', 'consumeToken'],
  ] as const)('never loses the code to a failure %s', async (_label, method) => {
    const trap = new StorageTrap();
    const host = await createLegacyHost({ wrapAdapter: trap.wrap });
    const app = await host.registerApp();
    const { code } = await host.legacyCode({ client: app });
    trap.arm(method, 'before', async () => {
      throw new Error('the database went away');
    });
    const failed = await host.legacyExchange({ client: app, code });
    expect(failed.status).toBe(503);
    expect(failed.body.access_token).toBeUndefined();
    const retried = await host.legacyExchange({ client: app, code });
    expect(retried.status).toBe(200);
    expect(await host.guardStatus(retried.body.access_token)).toBe(200);
  });

  it("revokes what a replayed code of our router issued, redeemed at the library's token endpoint", async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const code = await host.authorize({ client: app });
    const first = await host.exchange({ client: app, code });
    expect(first.status).toBe(200);
    const replay = await host.legacyExchange({ client: app, code });
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
    expect(await host.guardStatus(first.body.access_token)).toBe(401);
  });
});

describe('refresh tokens: rotation with reuse detection', () => {
  it('revokes every token of the grant when a rotated refresh token comes back', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const reused: unknown[] = [];
    host.provider.events.on('refresh_token.reused', (event) => reused.push(event));
    const first = await host.legacyIssueTokens({ client: app, scope: 'user' });
    const rotated = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect(rotated.status).toBe(200);
    const replay = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
    expect(await host.guardStatus(rotated.body.access_token)).toBe(401);
    const next = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: String(rotated.body.refresh_token),
    });
    expect([next.status, next.body.error]).toEqual([400, 'invalid_grant']);
    expect(reused).toEqual([{ clientId: app.clientId, userId: 'alice' }]);
  });

  it('rotates even when the host turns rotation off (alwaysIssueNewRefreshToken: false)', async () => {
    const host = await createLegacyHost({ serverOptions: { alwaysIssueNewRefreshToken: false } });
    const app = await host.registerApp();
    const first = await host.legacyIssueTokens({ client: app });
    const rotated = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect(rotated.body.refresh_token).toMatch(/^eor_/);
    const replay = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('accepts the same refresh token again within refreshTokenReuseGraceSeconds', async () => {
    const host = await createLegacyHost({ refreshTokenReuseGraceSeconds: 60 });
    const app = await host.registerApp();
    const first = await host.legacyIssueTokens({ client: app });
    const once = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    const again = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect([once.status, again.status]).toEqual([200, 200]);
    expect(await host.guardStatus(once.body.access_token)).toBe(200);
  });

  it("refuses another client's refresh token without revoking it", async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const other = await host.registerApp({ name: 'Other' });
    const first = await host.legacyIssueTokens({ client: app });
    const foreign = await host.legacyToken(other, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect([foreign.status, foreign.body.error]).toEqual([400, 'invalid_grant']);
    const own = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect(own.status).toBe(200);
  });

  it('refuses a scope wider than the one granted', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const first = await host.legacyIssueTokens({ client: app, scope: 'public_repo' });
    const wider = await host.legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
      scope: 'repo',
    });
    expect([wider.status, wider.body.error]).toEqual([400, 'invalid_scope']);
  });
});

describe('trap: a saved token whose scope is a string', () => {
  it('answers the scope as the string RFC 6749 §5.1 wants, from the array the model saves', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const { code } = await host.legacyCode({ client: app, scope: 'user gist' });
    const answer = await host.legacyExchange({ client: app, code });
    expect(answer.body.scope).toBe('user gist');
    const token = await host.model.getAccessToken(String(answer.body.access_token));
    expect(token ? token.scope : token).toEqual(['user', 'gist']);
  });
});
