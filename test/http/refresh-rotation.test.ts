/**
 * DESIGN / RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every refresh returns a new refresh
 * token and invalidates the old one; a reused old one revokes the whole grant; concurrent
 * refreshes yield exactly one success; an optional grace window tolerates one lost response.
 */
import request from 'supertest';
import { bearer, makeTestProvider, type RegisteredApp, type TestProvider } from '../support/provider-harness';

let t: TestProvider;
let client: RegisteredApp;

beforeEach(async () => {
  t = makeTestProvider();
  client = await t.registerApp();
});

async function guardStatus(token: unknown): Promise<number> {
  return (await request(t.app).get('/api/me').set('Authorization', bearer(token))).status;
}

describe('refresh token rotation', () => {
  it('each refresh returns a new access and refresh token with the §5.1 fields', async () => {
    const first = await t.issueTokens({ client, scope: 'repo gist' });
    const second = await t.refresh(client, String(first.refresh_token));
    expect(second.status).toBe(200);
    expect(second.response.headers['cache-control']).toBe('no-store');
    expect(second.body).toEqual({
      access_token: expect.stringMatching(/^eoa_/),
      token_type: 'bearer',
      expires_in: 7200,
      refresh_token: expect.stringMatching(/^eor_/),
      scope: 'repo gist',
    });
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.access_token).not.toBe(first.access_token);
    const third = await t.refresh(client, String(second.body.refresh_token));
    expect(third.status).toBe(200);
    expect(await guardStatus(third.body.access_token)).toBe(200);
  });

  it('reusing an old refresh token fails and revokes the whole grant, including the newest tokens', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const second = await t.refresh(client, String(first.refresh_token));
    const third = await t.refresh(client, String(second.body.refresh_token));
    expect(await guardStatus(third.body.access_token)).toBe(200);

    const replay = await t.refresh(client, String(first.refresh_token));
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');

    expect(await guardStatus(third.body.access_token)).toBe(401);
    const newest = await t.refresh(client, String(third.body.refresh_token));
    expect(newest.status).toBe(400);
    expect(newest.body.error).toBe('invalid_grant');
  });

  it('20 concurrent refreshes with one token → exactly one 200', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.refresh(client, String(first.refresh_token))),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    for (const answer of answers.filter((a) => a.status === 400))
      expect(answer.body.error).toBe('invalid_grant');
  });

  it('with refreshTokenReuseGraceSeconds: 30, a second use within the window succeeds', async () => {
    t = makeTestProvider({ refreshTokenReuseGraceSeconds: 30 });
    client = await t.registerApp();
    const first = await t.issueTokens({ client, scope: 'repo' });
    const second = await t.refresh(client, String(first.refresh_token));
    const retry = await t.refresh(client, String(first.refresh_token));
    expect(second.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.refresh_token).toMatch(/^eor_/);
    expect(await guardStatus(second.body.access_token)).toBe(200);
    expect(await guardStatus(retry.body.access_token)).toBe(200);
  });

  it('with a grace window, a use after the window is still a replay', async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
    });
    try {
      t = makeTestProvider({ refreshTokenReuseGraceSeconds: 30 });
      client = await t.registerApp();
      const first = await t.issueTokens({ client, scope: 'repo' });
      const second = await t.refresh(client, String(first.refresh_token));
      jest.setSystemTime(Date.now() + 31_000);
      const late = await t.refresh(client, String(first.refresh_token));
      expect(late.status).toBe(400);
      expect(late.body.error).toBe('invalid_grant');
      expect(await guardStatus(second.body.access_token)).toBe(401);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a narrower scope on refresh is granted; a wider one → invalid_scope', async () => {
    const first = await t.issueTokens({ client, scope: 'repo gist' });
    const narrower = await t.refresh(client, String(first.refresh_token), { scope: 'public_repo' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('public_repo');
    const narrowToken = await request(t.app)
      .post('/api/repos')
      .set('Authorization', bearer(narrower.body.access_token));
    expect(narrowToken.status).toBe(403);

    // RFC 6749 §6: the new refresh token keeps the scope of the one presented, so the next
    // refresh without a scope gets the original scope back.
    const restored = await t.refresh(client, String(narrower.body.refresh_token));
    expect(restored.status).toBe(200);
    expect(restored.body.scope).toBe('repo gist');

    const fresh = await t.issueTokens({ client, scope: 'public_repo', user: 'bob' });
    const wider = await t.refresh(client, String(fresh.refresh_token), { scope: 'repo' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    // A refused scope does not burn the refresh token.
    expect((await t.refresh(client, String(fresh.refresh_token))).status).toBe(200);
  });

  it('refuses the refresh token of another client, an access token, and a missing one', async () => {
    const first = await t.issueTokens({ client, scope: 'repo' });
    const other = await t.registerApp({ name: 'Other' });
    const stolen = await t.refresh(other, String(first.refresh_token));
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');
    expect((await t.refresh(client, String(first.access_token))).body.error).toBe('invalid_grant');
    const missing = await t.refresh(client, '');
    expect(missing.body.error).toBe('invalid_request');
    // The rightful client still can.
    expect((await t.refresh(client, String(first.refresh_token))).status).toBe(200);
  });

  it('a public client refreshes with client_id only', async () => {
    const spa = await t.registerApp({ confidential: false });
    const first = await t.issueTokens({ client: spa, scope: 'user' });
    const second = await t.refresh(spa, String(first.refresh_token));
    expect(second.status).toBe(200);
  });

  it('refresh tokens expire (refreshTokenTtl)', async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
    });
    try {
      t = makeTestProvider({ refreshTokenTtl: 3600 });
      client = await t.registerApp();
      const first = await t.issueTokens({ client, scope: 'repo' });
      jest.setSystemTime(Date.now() + 3601_000);
      const late = await t.refresh(client, String(first.refresh_token));
      expect(late.status).toBe(400);
      expect(late.body.error).toBe('invalid_grant');
    } finally {
      jest.useRealTimers();
    }
  });
});
