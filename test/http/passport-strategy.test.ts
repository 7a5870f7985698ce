/**
 * DESIGN "Public API": `provider.passportStrategy()` is a passport strategy (`oauth-bearer`) doing
 * what `authenticate()` does, for hosts that route authentication through passport.
 */
import express, { type Express } from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import type { ClientPrincipal } from '../../lib';
import { bearer } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;
let app: Express;

beforeEach(async () => {
  t = await createTestHost({ findUser: (id) => ({ id, username: `user-${id}` }) });
  client = await t.registerApp();
  const passport = new Passport();
  passport.use(t.provider.passportStrategy());
  app = express();
  app.use(passport.initialize());
  app.get('/me', passport.authenticate('oauth-bearer', { session: false }), (req, res) => {
    res.json({ user: req.user ?? null, authInfo: req.authInfo ?? null, scopes: req.oauth?.scopes ?? null });
  });
  app.get(
    '/repos',
    passport.authenticate('oauth-bearer', { session: false }),
    t.provider.requireScope('repo'),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
});

describe('passportStrategy()', () => {
  it('is named oauth-bearer', () => {
    expect(t.provider.passportStrategy().name).toBe('oauth-bearer');
  });

  it('authenticates a valid token: req.user is the resource owner, req.oauth the context', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo gist' });
    const response = await request(app).get('/me').set('Authorization', bearer(tokens.accessToken));
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ id: 'alice', username: 'user-alice' });
    expect(response.body.scopes).toEqual(['repo', 'gist']);
    expect(response.body.authInfo).toMatchObject({ scopes: ['repo', 'gist'] });
    expect(response.headers['x-oauth-scopes']).toBe('repo, gist');
  });

  it('accepts the query parameter as authenticate() does', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    expect((await request(app).get('/me').query({ access_token: tokens.accessToken })).status).toBe(200);
  });

  it('no token → 401 with a bare Bearer challenge', async () => {
    const response = await request(app).get('/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="issuer.example"');
  });

  it('a bad or revoked token → 401 invalid_token', async () => {
    const bad = await request(app).get('/me').set('Authorization', 'Bearer eoa_nope');
    expect(bad.status).toBe(401);
    expect(String(bad.headers['www-authenticate'])).toContain('error="invalid_token"');

    const tokens = await t.issueTokens({ client, scope: 'user' });
    await t.provider.applications.revokeAllTokens(client.application.id);
    const revoked = await request(app).get('/me').set('Authorization', bearer(tokens.accessToken));
    expect(revoked.status).toBe(401);
    expect(String(revoked.headers['www-authenticate'])).toContain('error="invalid_token"');
  });

  it('a token sent twice → 400 invalid_request', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const response = await request(app)
      .get('/me')
      .query({ access_token: tokens.accessToken })
      .set('Authorization', bearer(tokens.accessToken));
    expect(response.status).toBe(400);
    expect(String(response.headers['www-authenticate'])).toContain('error="invalid_request"');
  });

  it('works with requireScope() behind it', async () => {
    const repo = await t.issueTokens({ client, scope: 'repo' });
    expect((await request(app).get('/repos').set('Authorization', bearer(repo.accessToken))).status).toBe(
      200,
    );
    const user = await t.issueTokens({ client, scope: 'user', user: 'bob' });
    const denied = await request(app).get('/repos').set('Authorization', bearer(user.accessToken));
    expect(denied.status).toBe(403);
    expect(String(denied.headers['www-authenticate'])).toContain('error="insufficient_scope"');
  });

  it('a client_credentials token: req.user is the machine principal, never the application record', async () => {
    const response = await t.token(client, { grant_type: 'client_credentials' }, 'body');
    const me = await request(app).get('/me').set('Authorization', bearer(response.body.access_token));
    expect(me.status).toBe(200);
    const principal: ClientPrincipal = { kind: 'client', clientId: client.clientId, name: 'Test App' };
    expect(me.body.user).toEqual(principal);
    expect(me.text).not.toContain('clientSecretHash');
    expect(me.text).not.toContain(String(client.application.clientSecretHash));
  });

  it('req.oauth.client carries no secret hash, behind passport and behind authenticate()', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const seen: unknown[] = [];
    const probe = express();
    const passport = new Passport();
    passport.use(t.provider.passportStrategy());
    probe.use(passport.initialize());
    const record = (req: express.Request, res: express.Response) => {
      seen.push(req.oauth?.client);
      res.end();
    };
    probe.get('/passport', passport.authenticate('oauth-bearer', { session: false }), record);
    probe.get('/guard', t.provider.authenticate(), record);
    probe.get('/scope', t.provider.requireScope('user'), record);
    for (const path of ['/passport', '/guard', '/scope']) {
      expect((await request(probe).get(path).set('Authorization', bearer(tokens.accessToken))).status).toBe(
        200,
      );
    }
    expect(seen).toHaveLength(3);
    for (const view of seen) {
      expect(view).toMatchObject({ clientId: client.clientId, trust: 'user' });
      expect(view).not.toHaveProperty('clientSecretHash');
    }
  });

  it("req.oauth.client is read-only: one request's change to it never reaches the next request", async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const names: unknown[] = [];
    const probe = express();
    probe.get('/scope', t.provider.requireScope('user'), (req, res) => {
      const view = req.oauth?.client;
      names.push(view?.name);
      res.json({ changed: view ? Reflect.set(view, 'name', 'Changed by a route') : null });
    });
    for (let i = 0; i < 3; i += 1) {
      const answer = await request(probe).get('/scope').set('Authorization', bearer(tokens.accessToken));
      expect(answer.body).toEqual({ changed: false });
    }
    expect(names).toEqual(['Test App', 'Test App', 'Test App']);
  });

  it('a user-less token with a user-held scope, behind passport, does not pass requireScope (403, no user)', async () => {
    const { accessToken } = await t.provider.tokens.issueTokens(
      { applicationId: client.id, userId: null, grantId: null, familyId: null, scopes: ['repo'] },
      false,
    );
    const repos = await request(app).get('/repos').set('Authorization', bearer(accessToken));
    expect(repos.status).toBe(403);
    expect(repos.body.error_description).toMatch(/no user/);
  });
});
