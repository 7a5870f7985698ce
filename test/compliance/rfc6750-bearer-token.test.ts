/**
 * RFC 6750 (bearer token usage): §2.1 header, §2.2 form body, §2.3 query, §3 / §3.1 the
 * `WWW-Authenticate` challenge and error codes; plus DESIGN's GitHub-style scope headers.
 */
import express from 'express';
import request from 'supertest';
import { requireScope } from '../../lib';
import { expectInvalidToken, BEARER_REALM as REALM } from '../support/assertions';
import { advanceClock, freezeClock } from '../support/clock';
import { USER_HEADER } from '../support/fixtures';
import { bearer } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp();
});

async function accessToken(scope: string): Promise<string> {
  return (await t.issueTokens({ client, scope })).accessToken;
}

describe('RFC 6750 §3.1: no token, bad tokens', () => {
  it('no token → 401 with a bare Bearer challenge carrying no error code', async () => {
    const response = await request(t.app).get('/api/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
    expect(response.headers['x-oauth-scopes']).toBeUndefined();
  });

  it('another scheme (Basic) counts as no bearer token', async () => {
    const response = await request(t.app).get('/api/me').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['an unknown but well-formed token', 'FORGED'],
    ['a one-character change', 'MUTATED'],
  ])('%s → 401 invalid_token', async (_label, kind) => {
    let token = kind;
    if (kind === 'FORGED') token = t.provider.options.tokens.generate('access');
    if (kind === 'MUTATED') {
      const real = await accessToken('user');
      token = `${real.slice(0, 10)}${real.charAt(10) === 'A' ? 'B' : 'A'}${real.slice(11)}`;
    }
    expectInvalidToken(await request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`));
  });

  it('a refresh token is not an access token → 401 invalid_token', async () => {
    const { refreshToken } = await t.issueTokens({ client, scope: 'user' });
    expectInvalidToken(await request(t.app).get('/api/me').set('Authorization', bearer(refreshToken)));
  });

  it('an expired token → 401 invalid_token', async () => {
    freezeClock();
    const token = await accessToken('user');
    expect((await request(t.app).get('/api/me').set('Authorization', bearer(token))).status).toBe(200);
    advanceClock(7201);
    expectInvalidToken(await request(t.app).get('/api/me').set('Authorization', bearer(token)));
  });

  it('a revoked token → 401 invalid_token', async () => {
    const token = await accessToken('user');
    expect((await request(t.app).get('/api/me').set('Authorization', bearer(token))).status).toBe(200);
    const revoked = await request(t.app)
      .delete(`/settings/api/authorizations/${client.clientId}`)
      .set(USER_HEADER, 'alice')
      .set('X-Requested-With', 'fetch');
    expect(revoked.status).toBe(204);
    expectInvalidToken(await request(t.app).get('/api/me').set('Authorization', bearer(token)));
  });

  it('a token whose user no longer exists (findUser → null) → 401 invalid_token, on every guard', async () => {
    const deleted = new Set<string>();
    t = await createTestHost({ findUser: (id) => (deleted.has(id) ? null : { id, username: id }) });
    client = await t.registerApp();
    const token = await accessToken('repo');
    const pat = await request(t.app)
      .post('/settings/api/tokens')
      .set(USER_HEADER, 'alice')
      .send({ name: 'x', scopes: ['repo'] });
    expect((await request(t.app).get('/api/repos').set('Authorization', bearer(token))).status).toBe(200);
    deleted.add('alice');
    expectInvalidToken(await request(t.app).get('/api/me').set('Authorization', bearer(token)));
    expectInvalidToken(await request(t.app).get('/api/repos').set('Authorization', bearer(token)));
    expectInvalidToken(await request(t.app).get('/api/repos').set('Authorization', bearer(pat.body.token)));
  });

  it('a malformed Authorization header → 400 invalid_request', async () => {
    for (const header of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer tok"en']) {
      const response = await request(t.app).get('/api/me').set('Authorization', header);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_request');
      expect(String(response.headers['www-authenticate'])).toContain('error="invalid_request"');
    }
  });
});

describe('RFC 6750 §2: where the token may be', () => {
  it('§2.1: the scheme name is case-insensitive', async () => {
    const token = await accessToken('user');
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const response = await request(t.app).get('/api/me').set('Authorization', `${scheme} ${token}`);
      expect(response.status).toBe(200);
    }
  });

  it('§2.3: the access_token query parameter works by default', async () => {
    const token = await accessToken('user');
    const response = await request(t.app).get('/api/me').query({ access_token: token });
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ id: 'alice' });
  });

  it('§2.3: authenticate({ allowQueryAccessToken: false }) ignores the query parameter', async () => {
    const token = await accessToken('user');
    const response = await request(t.app).get('/api/header-only').query({ access_token: token });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
    expect((await request(t.app).get('/api/header-only').set('Authorization', bearer(token))).status).toBe(
      200,
    );
  });

  it('§2.3: the provider option allowQueryAccessToken: false turns it off everywhere', async () => {
    t = await createTestHost({ allowQueryAccessToken: false });
    client = await t.registerApp();
    const token = await accessToken('user');
    expect((await request(t.app).get('/api/me').query({ access_token: token })).status).toBe(401);
  });

  it('§2: a token in the header and the query → 400 invalid_request', async () => {
    const token = await accessToken('user');
    const response = await request(t.app)
      .get('/api/me')
      .query({ access_token: token })
      .set('Authorization', bearer(token));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
    expect(String(response.headers['www-authenticate'])).toContain('error="invalid_request"');
  });

  it('§2.3: access_token twice in the query → 400 invalid_request', async () => {
    const token = await accessToken('user');
    const response = await request(t.app).get(`/api/me?access_token=${token}&access_token=${token}`);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('§2.2: a form-body access_token on POST works, and the route still sees the other fields', async () => {
    const token = await accessToken('user');
    const response = await request(t.app)
      .post('/api/me')
      .type('form')
      .send({ access_token: token, note: 'hello' });
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ id: 'alice' });
    expect(response.body.body).toMatchObject({ note: 'hello' });
  });

  it('§2.2: a token in the header and the form body → 400 invalid_request', async () => {
    const token = await accessToken('user');
    const response = await request(t.app)
      .post('/api/me')
      .set('Authorization', bearer(token))
      .type('form')
      .send({ access_token: token });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('§2.2: only form-encoded bodies carry tokens, not JSON', async () => {
    const token = await accessToken('user');
    const response = await request(t.app).post('/api/me').send({ access_token: token });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
  });
});

describe('RFC 6750 §3.1: scopes, and the GitHub-style scope headers', () => {
  it('success carries X-OAuth-Scopes with the token’s scopes', async () => {
    const token = await accessToken('repo gist');
    const response = await request(t.app).get('/api/me').set('Authorization', bearer(token));
    expect(response.status).toBe(200);
    expect(response.headers['x-oauth-scopes']).toBe('repo, gist');
  });

  it('guarded routes carry X-Accepted-OAuth-Scopes, including the scopes that include the required one', async () => {
    const token = await accessToken('public_repo');
    const response = await request(t.app).get('/api/repos').set('Authorization', bearer(token));
    expect(response.status).toBe(200);
    expect(response.headers['x-accepted-oauth-scopes']).toBe('public_repo, repo');
    expect(response.headers['x-oauth-scopes']).toBe('public_repo');
  });

  it('requireScope("public_repo") accepts a repo token', async () => {
    const token = await accessToken('repo');
    const response = await request(t.app).get('/api/repos').set('Authorization', bearer(token));
    expect(response.status).toBe(200);
    expect(response.body.scopes).toEqual(['repo']);
  });

  it('a missing scope → 403 insufficient_scope with scope="…", and the scope headers', async () => {
    const token = await accessToken('public_repo');
    const response = await request(t.app).post('/api/repos').set('Authorization', bearer(token));
    expect(response.status).toBe(403);
    const challenge = String(response.headers['www-authenticate']);
    expect(challenge.startsWith(REALM)).toBe(true);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="repo"');
    expect(response.body.error).toBe('insufficient_scope');
    expect(response.headers['x-accepted-oauth-scopes']).toBe('repo');
    expect(response.headers['x-oauth-scopes']).toBe('public_repo');
  });

  it('requireScope after authenticate(): 403 for a token without the scope, 201 with it', async () => {
    const without = await accessToken('user');
    const denied = await request(t.app).post('/api/gists').set('Authorization', bearer(without));
    expect(denied.status).toBe(403);
    expect(String(denied.headers['www-authenticate'])).toContain('scope="gist"');
    expect(denied.headers['x-accepted-oauth-scopes']).toBe('gist');
    const withScope = await accessToken('gist');
    expect((await request(t.app).post('/api/gists').set('Authorization', bearer(withScope))).status).toBe(
      201,
    );
  });

  it('a guarded route without a token → 401 and still X-Accepted-OAuth-Scopes', async () => {
    const response = await request(t.app).get('/api/repos');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
    expect(response.headers['x-accepted-oauth-scopes']).toBe('public_repo, repo');
  });

  it('the standalone requireScope() guards after authenticate() and counts inclusions', async () => {
    const app = express();
    app.get('/standalone', t.provider.authenticate(), requireScope('public_repo'), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/unauthenticated', requireScope('public_repo'), (_req, res) => {
      res.json({ ok: true });
    });
    const repo = await accessToken('repo');
    const ok = await request(app).get('/standalone').set('Authorization', bearer(repo));
    expect(ok.status).toBe(200);
    expect(ok.headers['x-accepted-oauth-scopes']).toBe('public_repo');
    const gist = await accessToken('gist');
    const denied = await request(app).get('/standalone').set('Authorization', bearer(gist));
    expect(denied.status).toBe(403);
    expect(String(denied.headers['www-authenticate'])).toContain('error="insufficient_scope"');
    expect((await request(app).get('/unauthenticated')).status).toBe(401);
  });

  it('guards refuse to be built with undeclared or no scopes', () => {
    expect(() => t.provider.requireScope('nope')).toThrow(TypeError);
    expect(() => t.provider.requireScope()).toThrow(TypeError);
    expect(() => requireScope()).toThrow(TypeError);
  });
});

describe('DESIGN: personal access tokens pass the same guards', () => {
  it('accepts a PAT with the right scope and refuses it without', async () => {
    const created = await request(t.app)
      .post('/settings/api/tokens')
      .set(USER_HEADER, 'alice')
      .send({ name: 'script', scopes: ['repo'] });
    expect(created.status).toBe(201);
    const token = created.body.token;
    expect(token).toMatch(/^eop_/);
    const repos = await request(t.app).get('/api/repos').set('Authorization', bearer(token));
    expect(repos.status).toBe(200);
    expect(repos.body).toMatchObject({ user: { id: 'alice' }, client_id: null, scopes: ['repo'] });
    expect((await request(t.app).post('/api/gists').set('Authorization', bearer(token))).status).toBe(403);
  });
});

describe('DESIGN: a route that acts for a user refuses a user-less token', () => {
  it('authenticate({ requireUser: true }): a client_credentials token → 403 insufficient_scope saying it has no user', async () => {
    const app = express();
    app.get('/api/user', t.provider.authenticate({ requireUser: true }), (req, res) => {
      res.json({ id: req.oauth?.user?.id });
    });
    const machine = await t.token(client, { grant_type: 'client_credentials' }, 'body');
    const refused = await request(app)
      .get('/api/user')
      .set('Authorization', bearer(machine.body.access_token));
    expect(refused.status).toBe(403);
    expect(String(refused.headers['www-authenticate'])).toMatch(
      /^Bearer realm="issuer\.example", error="insufficient_scope", error_description="This token has no user/,
    );
    expect(refused.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'This token has no user: it was issued to a client acting on its own behalf',
    });
    const user = await request(app)
      .get('/api/user')
      .set('Authorization', bearer(await accessToken('user')));
    expect(user.status).toBe(200);
    expect(user.body).toEqual({ id: 'alice' });
  });
});
