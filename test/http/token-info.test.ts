/**
 * DESIGN: `GET /oauth/token/info` (Doorkeeper's and GitLab's endpoint) describes the bearer token it
 * is called with; it is a protected resource, so RFC 6750 §3 governs its failures (401 with a
 * `WWW-Authenticate: Bearer` challenge; `error="invalid_token"` for a bad one).
 */
import request from 'supertest';
import { freezeClock } from '../support/clock';
import { bearer } from '../support/oauth';
import { createTestHost, type HostOptions, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

async function setUp(options: HostOptions = {}): Promise<void> {
  t = await createTestHost(options);
  client = await t.registerApp();
}

beforeEach(() => setUp());

/** An access token for bob with scope `user`, issued at `issuedAt` through the token service. */
function issueForBob(issuedAt: Date) {
  const subject = {
    applicationId: client.application.id,
    userId: 'bob',
    grantId: null,
    familyId: null,
    scopes: ['user'],
  };
  return t.provider.tokens.issueTokens(subject, false, issuedAt);
}

function tokenInfo(token: unknown) {
  return request(t.app).get('/oauth/token/info').set('Authorization', bearer(token));
}

describe('GET /oauth/token/info with a valid bearer token', () => {
  it('answers resource_owner_id, scope (array), expires_in, application.uid, created_at', async () => {
    // The clock stands still, so the figures are exact however slow the machine is.
    freezeClock();
    const before = Math.floor(Date.now() / 1000);
    const tokens = await t.issueTokens({ client, scope: 'repo gist' });
    const response = await tokenInfo(tokens.accessToken);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      resource_owner_id: 'alice',
      scope: ['repo', 'gist'],
      // RFC 8707: the resources the token is for; none named here.
      aud: [],
      expires_in: expect.any(Number),
      application: { uid: client.clientId },
      created_at: expect.any(Number),
    });
    expect(response.body.expires_in).toBe(7200);
    expect(response.body.created_at).toBe(before);
  });

  it('expires_in counts down from the issue time', async () => {
    freezeClock();
    const hourAgo = new Date(Date.now() - 3600 * 1000);
    const issued = await issueForBob(hourAgo);
    const body = (await tokenInfo(issued.accessToken)).body;
    expect(body.expires_in).toBe(3600);
    expect(body.created_at).toBe(Math.floor(hourAgo.getTime() / 1000));
  });

  it('expires_in is null for a non-expiring token (accessTokenTtl: null)', async () => {
    await setUp({ accessTokenTtl: null });
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const response = await tokenInfo(tokens.accessToken);
    expect(response.status).toBe(200);
    expect(response.body).toHaveProperty('expires_in', null);
    expect(response.body.scope).toEqual(['user']);
  });

  it('a client_credentials token has no resource owner', async () => {
    const issued = await t.token(client, { grant_type: 'client_credentials' });
    const body = (await tokenInfo(issued.body.access_token)).body;
    expect(body.resource_owner_id).toBeNull();
    expect(body.application).toEqual({ uid: client.clientId });
  });

  it('a personal access token has no application', async () => {
    const pat = await t.provider.personalTokens.create('alice', 'cli', ['repo'], null);
    const body = (await tokenInfo(pat.token)).body;
    expect(body).toEqual({
      resource_owner_id: 'alice',
      scope: ['repo'],
      aud: [],
      expires_in: null,
      application: null,
      created_at: expect.any(Number),
    });
  });

  it('accepts the token from ?access_token= like the other guards (RFC 6750 §2.3)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const response = await request(t.app)
      .get('/oauth/token/info')
      .query({ access_token: tokens.accessToken });
    expect(response.status).toBe(200);
    expect(response.body.resource_owner_id).toBe('alice');
  });
});

describe('RFC 6750 §3: GET /oauth/token/info without a usable token', () => {
  it('no token → 401 with a bare Bearer challenge (no error code, §3.1)', async () => {
    const response = await request(t.app).get('/oauth/token/info');
    expect(response.status).toBe(401);
    const challenge = String(response.headers['www-authenticate']);
    expect(challenge).toMatch(/^Bearer realm="/);
    expect(challenge).not.toContain('error=');
  });

  it('a revoked token → 401 invalid_token', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    await t.postAsClient('/oauth/revoke', client, { token: tokens.accessToken });
    const response = await tokenInfo(tokens.accessToken);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(response.body.error).toBe('invalid_token');
  });

  it('an expired token → 401 invalid_token', async () => {
    const issued = await issueForBob(new Date(Date.now() - 3 * 3600 * 1000));
    const response = await tokenInfo(issued.accessToken);
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
  });

  it('a refresh token is not an access token → 401 invalid_token', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const response = await tokenInfo(tokens.refreshToken);
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
  });

  it('garbage → 401 invalid_token', async () => {
    const response = await tokenInfo('not-a-token');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});
