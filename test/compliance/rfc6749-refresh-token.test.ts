import { sha256Hex } from '../../lib/tokens/hash';
import { expectOAuthError, expectTokenResponse } from '../support/assertions';
import { advanceClock, freezeClock } from '../support/clock';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp();
});

describe('RFC 6749 §6: refresh token rotation', () => {
  it('each refresh returns a new access and refresh token with the §5.1 fields', async () => {
    const first = await t.issueTokens({ client, scope: 'repo gist' });
    const second = await t.refresh(client, first.refreshToken);
    expectTokenResponse(second, 'repo gist');
    expect(second.body.refresh_token).not.toBe(first.refreshToken);
    expect(second.body.access_token).not.toBe(first.accessToken);
    const third = await t.refresh(client, String(second.body.refresh_token));
    expect(third.status).toBe(200);
    expect(await t.guardStatus(third.body.access_token)).toBe(200);
  });

  it('reusing an old refresh token fails and revokes the whole grant, including the newest tokens', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const second = await t.refresh(client, first.refreshToken);
    const third = await t.refresh(client, String(second.body.refresh_token));
    expect(await t.guardStatus(third.body.access_token)).toBe(200);

    expectOAuthError(await t.refresh(client, first.refreshToken), 400, 'invalid_grant');

    expect(await t.guardStatus(third.body.access_token)).toBe(401);
    expectOAuthError(await t.refresh(client, String(third.body.refresh_token)), 400, 'invalid_grant');
  });

  it('a narrower scope on refresh is granted; a wider one → invalid_scope', async () => {
    const first = await t.issueTokens({ client, scope: 'repo gist' });
    const narrower = await t.refresh(client, first.refreshToken, { scope: 'public_repo' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('public_repo');
    expect((await t.postWithToken('/api/repos', narrower.body.access_token)).status).toBe(403);

    // RFC 6749 §6: the new refresh token keeps the scope of the one presented, so the next
    // refresh without a scope gets the original scope back.
    const restored = await t.refresh(client, String(narrower.body.refresh_token));
    expect(restored.status).toBe(200);
    expect(restored.body.scope).toBe('repo gist');

    const fresh = await t.issueTokens({ client, scope: 'public_repo', user: 'bob' });
    expectOAuthError(await t.refresh(client, fresh.refreshToken, { scope: 'repo' }), 400, 'invalid_scope');
    // A refused scope does not burn the refresh token.
    expect((await t.refresh(client, fresh.refreshToken)).status).toBe(200);
  });

  it('refuses the refresh token of another client, an access token, and a missing one', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const other = await t.registerApp({ name: 'Other' });
    expectOAuthError(await t.refresh(other, first.refreshToken), 400, 'invalid_grant');
    expect((await t.refresh(client, first.accessToken)).body.error).toBe('invalid_grant');
    expect((await t.refresh(client, '')).body.error).toBe('invalid_request');
    // The rightful client still can.
    expect((await t.refresh(client, first.refreshToken)).status).toBe(200);
  });

  it('a public client refreshes with client_id only', async () => {
    const spa = await t.registerApp({ confidential: false });
    const first = await t.issueTokens({ client: spa, scope: 'user' });
    expect((await t.refresh(spa, first.refreshToken)).status).toBe(200);
  });

  it('refresh tokens expire (refreshTokenTtl)', async () => {
    freezeClock();
    t = await createTestHost({ refreshTokenTtl: 3600 });
    client = await t.registerApp();
    const first = await t.issueTokens({ client, scope: 'repo' });
    advanceClock(3601);
    expectOAuthError(await t.refresh(client, first.refreshToken), 400, 'invalid_grant');
  });
});

describe('DESIGN: refreshTokenReuseGraceSeconds tolerates a lost response', () => {
  const GRACE_SECONDS = 30;

  beforeEach(async () => {
    t = await createTestHost({ refreshTokenReuseGraceSeconds: GRACE_SECONDS });
    client = await t.registerApp();
  });

  it('a second use within the window gets an access token, never a second refresh chain', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const second = await t.refresh(client, first.refreshToken);
    const retry = await t.refresh(client, first.refreshToken);
    expect(second.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(second.body.refresh_token).toMatch(/^eor_/);
    expect(retry.body.refresh_token).toBeUndefined();
    expect(await t.guardStatus(second.body.access_token)).toBe(200);
    expect(await t.guardStatus(retry.body.access_token)).toBe(200);
    // The one chain goes on from the first rotation.
    expect((await t.refresh(client, String(second.body.refresh_token))).status).toBe(200);
  });

  it('a use after the window is still a replay', async () => {
    freezeClock();
    const first = await t.issueTokens({ client, scope: 'repo' });
    const second = await t.refresh(client, first.refreshToken);
    advanceClock(GRACE_SECONDS + 1);
    expectOAuthError(await t.refresh(client, first.refreshToken), 400, 'invalid_grant');
    expect(await t.guardStatus(second.body.access_token)).toBe(401);
  });

  it('20 concurrent uses within the window all succeed, one refresh chain among them; a use after it is a replay that revokes the grant', async () => {
    freezeClock();
    const issued = await t.issueTokens({ client, scope: 'repo' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.refresh(client, issued.refreshToken)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    // Exactly one answer carries a refresh token: one live chain (RFC 9700 §4.14.2).
    const chains = answers.filter((answer) => answer.body.refresh_token !== undefined);
    expect(chains).toHaveLength(1);
    const chain = String(chains[0]?.body.refresh_token);
    const access = answers.map((answer) => String(answer.body.access_token));
    expect(new Set(access).size).toBe(20);
    const record = await t.adapter.findTokenByHash(sha256Hex(issued.refreshToken));
    expect(record?.consumedAt).toBeInstanceOf(Date);
    expect(record?.revokedAt).toBeNull();
    // The newest access tokens work (the per-scope-set cap keeps `limits.tokensPerScopeSet`).
    const live = await Promise.all(access.map((token) => t.guardStatus(token)));
    expect(live.filter((status) => status === 200).length).toBeGreaterThanOrEqual(10);
    // A lost response retried at the end of the window: still fine.
    advanceClock(GRACE_SECONDS - 1);
    expect((await t.refresh(client, issued.refreshToken)).status).toBe(200);

    advanceClock(2);
    expectOAuthError(await t.refresh(client, issued.refreshToken), 400, 'invalid_grant');
    for (const token of access) expect(await t.guardStatus(token)).toBe(401);
    expectOAuthError(await t.refresh(client, chain), 400, 'invalid_grant');
  });
});

describe('DESIGN: a refresh respects the application as it is now', () => {
  it('an application narrowed to ["user"] no longer refreshes a token to repo: the dropped scopes are gone', async () => {
    const first = await t.issueTokens({ client, scope: 'repo user' });
    await t.provider.applications.update(client.id, { scopes: ['user'] });
    const refreshed = await t.refresh(client, first.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe('user');
    expect((await t.postWithToken('/api/repos', refreshed.body.access_token)).status).toBe(403);
    // The rotated refresh token is narrowed too: widening the application later brings nothing back.
    await t.provider.applications.update(client.id, { scopes: [] });
    const next = await t.refresh(client, String(refreshed.body.refresh_token));
    expect(next.body.scope).toBe('user');
  });

  it('narrowed to a scope an old one included (repo → public_repo): the refresh keeps that much', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    await t.provider.applications.update(client.id, { scopes: ['public_repo'] });
    const refreshed = await t.refresh(client, first.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe('public_repo');
  });

  it('nothing left → invalid_scope, and the refresh token stays usable once the application allows it again', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    await t.provider.applications.update(client.id, { scopes: ['gist'] });
    expectOAuthError(await t.refresh(client, first.refreshToken), 400, 'invalid_scope');
    await t.provider.applications.update(client.id, { scopes: ['repo'] });
    expectTokenResponse(await t.refresh(client, first.refreshToken), 'repo');
  });

  it('a narrower scope asked for must lie within what the application may still request', async () => {
    const first = await t.issueTokens({ client, scope: 'repo gist' });
    await t.provider.applications.update(client.id, { scopes: ['gist'] });
    expectOAuthError(await t.refresh(client, first.refreshToken, { scope: 'repo' }), 400, 'invalid_scope');
    const gist = await t.refresh(client, first.refreshToken, { scope: 'gist' });
    expect(gist.status).toBe(200);
    expect(gist.body.scope).toBe('gist');
  });
});
