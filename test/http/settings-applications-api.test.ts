/**
 * DESIGN "The example provider" JSON API table, row by row: `/settings/api` for the logged-in
 * user's applications, authorizations and personal access tokens.
 */
import request from 'supertest';
import { sha256Hex } from '../../lib/tokens/hash';
import { advanceClock, freezeClock } from '../support/clock';
import { USER_HEADER } from '../support/fixtures';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, bearer } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';
import { eventually } from '../support/time-scale';

let t: TestHost;

beforeEach(async () => {
  t = await createTestHost();
});

const NEW_APP = {
  name: 'My App',
  homepage_url: 'https://my.example',
  redirect_uris: ['https://my.example/callback', 'http://127.0.0.1/callback'],
  confidential: true,
  scopes: ['repo', 'user'],
};

function as(user: string) {
  return {
    get: (path: string) => request(t.app).get(`/settings/api${path}`).set(USER_HEADER, user),
    post: (path: string, body?: object) => {
      const call = request(t.app).post(`/settings/api${path}`).set(USER_HEADER, user);
      // A body-less write says it is not a form with a custom header (what the site's own script sends).
      return body === undefined ? call.set('X-Requested-With', 'fetch') : call.send(body);
    },
    patch: (path: string, body: object) =>
      request(t.app).patch(`/settings/api${path}`).set(USER_HEADER, user).send(body),
    delete: (path: string) =>
      request(t.app).delete(`/settings/api${path}`).set(USER_HEADER, user).set('X-Requested-With', 'fetch'),
  };
}

const alice = as('alice');
const bob = as('bob');

/** Registers through the API and returns it in the harness's shape. */
async function register(
  body: object = NEW_APP,
): Promise<{ json: Record<string, unknown>; app: RegisteredApp }> {
  const response = await alice.post('/applications', body);
  expect(response.status).toBe(201);
  const application = await t.provider.applications.findById(String(response.body.id));
  if (application === null) throw new Error('not stored');
  return {
    json: response.body,
    app: {
      id: application.id,
      application,
      clientId: String(response.body.client_id),
      clientSecret: typeof response.body.client_secret === 'string' ? response.body.client_secret : null,
    },
  };
}

const guardStatus = (token: unknown) => t.guardStatus(token);

/** `grant_type=client_credentials` with the secret in the body, as the application's backend would. */
const clientCredentials = (app: RegisteredApp) => t.token(app, { grant_type: 'client_credentials' }, 'body');

function expectFieldError(response: request.Response, field: string) {
  expect(response.status).toBe(400);
  expect(response.body.error).toEqual(expect.any(String));
  expect(response.body.error_description).toContain(field);
}

describe('POST /settings/api/applications', () => {
  it('201 with every field and the client secret (confidential)', async () => {
    const response = await alice.post('/applications', NEW_APP);
    expect(response.status).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        client_id: expect.any(String),
        client_secret: expect.stringMatching(/^eos_[0-9A-Za-z]{38}$/),
        name: 'My App',
        homepage_url: 'https://my.example',
        redirect_uris: NEW_APP.redirect_uris,
        confidential: true,
        scopes: ['repo', 'user'],
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    );
    expect(Number.isNaN(Date.parse(response.body.created_at))).toBe(false);
  });

  it('201 without client_secret for a public application', async () => {
    const response = await alice.post('/applications', { ...NEW_APP, confidential: false });
    expect(response.status).toBe(201);
    expect(response.body.confidential).toBe(false);
    expect(response.body).not.toHaveProperty('client_secret');
  });

  it('the secret works at the token endpoint, and is stored only as a hash', async () => {
    const { app } = await register();
    const response = await clientCredentials(app);
    expect(response.status).toBe(200);
    expect(app.application.clientSecretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(app.application)).not.toContain(String(app.clientSecret));
  });

  it.each([
    ['name', { ...NEW_APP, name: undefined }],
    ['name', { ...NEW_APP, name: '   ' }],
    ['homepage_url', { ...NEW_APP, homepage_url: 'not a url' }],
    ['redirect_uris', { ...NEW_APP, redirect_uris: [] }],
    ['redirect_uris', { ...NEW_APP, redirect_uris: undefined }],
    ['redirect_uris[0]', { ...NEW_APP, redirect_uris: ['http://my.example/callback'] }],
    ['redirect_uris[0]', { ...NEW_APP, redirect_uris: ['https://my.example/cb#frag'] }],
    ['redirect_uris[0]', { ...NEW_APP, redirect_uris: ['javascript:alert(1)'] }],
    [
      'redirect_uris[1]',
      { ...NEW_APP, redirect_uris: ['https://my.example/cb', 'https://user:pw@my.example/cb'] },
    ],
    ['confidential', { ...NEW_APP, confidential: 'no' }],
    ['scopes', { ...NEW_APP, scopes: ['repo', 'admin:everything'] }],
  ])('bad input → 400 naming %s', async (field, body) => {
    expectFieldError(await alice.post('/applications', body), field);
    expect((await alice.get('/applications')).body).toEqual([]);
  });

  it('a non-JSON content type → 415', async () => {
    const response = await request(t.app)
      .post('/settings/api/applications')
      .set(USER_HEADER, 'alice')
      .type('form')
      .send({
        name: 'My App',
        homepage_url: 'https://my.example',
        redirect_uris: 'https://my.example/callback',
      });
    expect(response.status).toBe(415);
    expect(response.body.error).toEqual(expect.any(String));
  });
});

describe('GET/PATCH/DELETE /settings/api/applications[/:id]', () => {
  it('GET lists the user’s own applications as a bare array, never a secret', async () => {
    const first = await register();
    await register({ ...NEW_APP, name: 'Second', confidential: false });
    await bob.post('/applications', { ...NEW_APP, name: 'Bob’s' });
    const list = await alice.get('/applications');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body.map((app: { name: string }) => app.name)).toEqual(['My App', 'Second']);
    expect(list.text).not.toContain(String(first.app.clientSecret));
    expect(list.text).not.toMatch(/secret|hash/i);
  });

  it('GET :id answers the application without a secret; another user’s id → 404', async () => {
    const { json } = await register();
    const own = await alice.get(`/applications/${json.id}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: json.id, client_id: json.client_id, name: 'My App' });
    expect(own.body).not.toHaveProperty('client_secret');
    const other = await bob.get(`/applications/${json.id}`);
    expect(other.status).toBe(404);
    expect(other.body.error).toEqual(expect.any(String));
    expect((await alice.get('/applications/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('PATCH :id updates name, homepage, redirect URIs and scopes; another user’s id → 404', async () => {
    const { json } = await register();
    const updated = await alice.patch(`/applications/${json.id}`, {
      name: 'Renamed',
      redirect_uris: ['https://my.example/new'],
      scopes: ['user'],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: 'Renamed',
      redirect_uris: ['https://my.example/new'],
      scopes: ['user'],
    });
    expect((await alice.get(`/applications/${json.id}`)).body.name).toBe('Renamed');
    expect((await bob.patch(`/applications/${json.id}`, { name: 'Stolen' })).status).toBe(404);
    expect((await alice.get(`/applications/${json.id}`)).body.name).toBe('Renamed');
  });

  it('PATCH refuses bad fields with 400 naming them, and a non-JSON body with 415', async () => {
    const { json } = await register();
    expectFieldError(await alice.patch(`/applications/${json.id}`, { name: '' }), 'name');
    expectFieldError(
      await alice.patch(`/applications/${json.id}`, { redirect_uris: ['ftp://x'] }),
      'redirect_uris[0]',
    );
    expectFieldError(await alice.patch(`/applications/${json.id}`, { confidential: false }), 'confidential');
    expectFieldError(await alice.patch(`/applications/${json.id}`, { scopes: ['nope'] }), 'scopes');
    const form = await request(t.app)
      .patch(`/settings/api/applications/${json.id}`)
      .set(USER_HEADER, 'alice')
      .type('form')
      .send({ name: 'x' });
    expect(form.status).toBe(415);
  });

  it('the redirect URIs changed by PATCH are the ones the authorization endpoint accepts', async () => {
    const { json, app } = await register();
    await alice.patch(`/applications/${json.id}`, { redirect_uris: ['https://my.example/new'] });
    const old = await openAuthorize(
      t.browser(),
      authorizeQuery({ client: app, redirectUri: 'https://my.example/callback' }),
    );
    expect(old.status).toBe(400);
    const fresh = await openAuthorize(
      t.browser(),
      authorizeQuery({ client: app, redirectUri: 'https://my.example/new' }),
    );
    expect(fresh.status).toBe(200);
  });

  it('DELETE :id → 204, the application is gone and every token issued to it is refused', async () => {
    const { json, app } = await register();
    const tokens = await t.issueTokens({
      client: app,
      scope: 'repo',
      redirectUri: 'https://my.example/callback',
    });
    const machine = await clientCredentials(app);
    const machineToken = String(machine.body.access_token);
    expect(machine.body.refresh_token).toBeUndefined();
    expect(await guardStatus(tokens.accessToken)).toBe(200);
    expect(await guardStatus(machineToken)).toBe(200);
    expect((await bob.delete(`/applications/${json.id}`)).status).toBe(404);
    expect(await guardStatus(tokens.accessToken)).toBe(200);
    const deleted = await alice.delete(`/applications/${json.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await alice.get(`/applications/${json.id}`)).status).toBe(404);
    expect(await guardStatus(tokens.accessToken)).toBe(401);
    expect(await guardStatus(machineToken)).toBe(401);
    const refreshed = await t.refresh(app, tokens.refreshToken);
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.error).toBe('invalid_client');
    // Every token record is revoked, not only refused; the application record is gone.
    for (const token of [tokens.accessToken, tokens.refreshToken, machineToken]) {
      expect((await t.adapter.findTokenByHash(sha256Hex(token)))?.revokedAt).toBeInstanceOf(Date);
    }
    expect(await t.adapter.findApplicationById(json.id as string)).toBeNull();
    expect(await t.adapter.findGrant('alice', json.id as string)).toBeNull();
    expect((await alice.delete(`/applications/${json.id}`)).status).toBe(404);
  });
});

describe('POST /settings/api/applications/:id/secret and /revoke-tokens', () => {
  it('secret: 200 { client_secret }; the old secret stops working at once', async () => {
    const { json, app } = await register();
    const reset = await alice.post(`/applications/${json.id}/secret`);
    expect(reset.status).toBe(200);
    expect(reset.headers['cache-control']).toBe('no-store');
    expect(reset.body).toEqual({ client_secret: expect.stringMatching(/^eos_/) });
    expect(reset.body.client_secret).not.toBe(app.clientSecret);
    const withOld = await clientCredentials(app);
    expect(withOld.status).toBe(401);
    expect(withOld.body.error).toBe('invalid_client');
    const withNew = await clientCredentials({ ...app, clientSecret: String(reset.body.client_secret) });
    expect(withNew.status).toBe(200);
  });

  it('secret: another user’s application → 404; a public application → 400', async () => {
    const { json } = await register();
    expect((await bob.post(`/applications/${json.id}/secret`)).status).toBe(404);
    const pub = await alice.post('/applications', { ...NEW_APP, confidential: false });
    expectFieldError(await alice.post(`/applications/${pub.body.id}/secret`), 'confidential');
  });

  it('revoke-tokens: 204, and every token issued to the application is refused', async () => {
    const { json, app } = await register();
    const first = await t.issueTokens({
      client: app,
      scope: 'repo',
      redirectUri: 'https://my.example/callback',
    });
    const second = await t.issueTokens({
      client: app,
      scope: 'user',
      user: 'bob',
      redirectUri: 'https://my.example/callback',
    });
    expect((await bob.post(`/applications/${json.id}/revoke-tokens`)).status).toBe(404);
    expect(await guardStatus(first.accessToken)).toBe(200);
    const revoked = await alice.post(`/applications/${json.id}/revoke-tokens`);
    expect(revoked.status).toBe(204);
    expect(await guardStatus(first.accessToken)).toBe(401);
    expect(await guardStatus(second.accessToken)).toBe(401);
    expect((await t.refresh(app, first.refreshToken)).status).toBe(400);
    // The application itself still works for new authorizations.
    const fresh = await t.issueTokens({
      client: app,
      scope: 'repo',
      redirectUri: 'https://my.example/callback',
    });
    expect(await guardStatus(fresh.accessToken)).toBe(200);
  });

  it.each(['secret', 'revoke-tokens'])(
    '%s sent as a cross-site HTML form (non-JSON content type) → 415, nothing changes',
    async (action) => {
      const { json, app } = await register();
      const tokens = await t.issueTokens({
        client: app,
        scope: 'repo',
        redirectUri: 'https://my.example/callback',
      });
      for (const type of [
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
      ]) {
        const response = await request(t.app)
          .post(`/settings/api/applications/${json.id}/${action}`)
          .set(USER_HEADER, 'alice')
          .set('Content-Type', type)
          .send('x=1');
        expect(response.status).toBe(415);
      }
      expect(await guardStatus(tokens.accessToken)).toBe(200);
      const old = await clientCredentials(app);
      expect(old.status).toBe(200);
    },
  );
});

describe('GET/DELETE /settings/api/authorizations', () => {
  it('lists the applications the user authorized, with scopes and dates', async () => {
    const { app } = await register();
    const tokens = await t.issueTokens({
      client: app,
      scope: 'repo',
      redirectUri: 'https://my.example/callback',
    });
    const before = await alice.get('/authorizations');
    expect(before.status).toBe(200);
    expect(before.body).toEqual([
      expect.objectContaining({
        client_id: app.clientId,
        name: 'My App',
        scopes: ['repo'],
        created_at: expect.any(String),
        last_used_at: null,
      }),
    ]);
    expect(await guardStatus(tokens.accessToken)).toBe(200);
    // last_used_at is recorded without blocking the request: it lands soon after the answer.
    await eventually('last_used_at is recorded', async () => {
      const after = await alice.get('/authorizations');
      return typeof after.body[0]?.last_used_at === 'string';
    });
    expect((await bob.get('/authorizations')).body).toEqual([]);
  });

  it('DELETE :client_id → 204 and revokes every token of the grant; consent is asked again', async () => {
    const { app } = await register();
    const tokens = await t.issueTokens({
      client: app,
      scope: 'repo',
      redirectUri: 'https://my.example/callback',
    });
    const rotated = await t.refresh(app, tokens.refreshToken);
    // The same grant again (consent skipped), and another application's grant that must survive.
    const second = await t.issueTokens({
      client: app,
      scope: 'repo',
      redirectUri: 'https://my.example/callback',
    });
    const other = await t.registerApp({ name: 'Other' });
    const kept = await t.issueTokens({ client: other, scope: 'repo' });
    expect((await bob.delete(`/authorizations/${app.clientId}`)).status).toBe(404);
    expect(await guardStatus(rotated.body.access_token)).toBe(200);
    const deleted = await alice.delete(`/authorizations/${app.clientId}`);
    expect(deleted.status).toBe(204);
    expect(await guardStatus(rotated.body.access_token)).toBe(401);
    expect(await guardStatus(second.accessToken)).toBe(401);
    expect((await t.refresh(app, String(rotated.body.refresh_token))).status).toBe(400);
    expect((await t.refresh(app, second.refreshToken)).body.error).toBe('invalid_grant');
    expect(await guardStatus(kept.accessToken)).toBe(200);
    expect((await alice.get('/authorizations')).body).toEqual([
      expect.objectContaining({ client_id: other.clientId }),
    ]);
    expect((await alice.delete(`/authorizations/${app.clientId}`)).status).toBe(404);
    const again = await openAuthorize(
      t.browser(),
      authorizeQuery({ client: app, scope: 'repo', redirectUri: 'https://my.example/callback' }),
    );
    expect(again.status).toBe(200);
  });
});

describe('personal access tokens: POST/GET/DELETE /settings/api/tokens', () => {
  it('creates a token shown once, lists it without the secret, and it passes the guards', async () => {
    const created = await alice.post('/tokens', { name: 'deploy script', scopes: ['repo', 'public_repo'] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        name: 'deploy script',
        scopes: ['repo'],
        token: expect.stringMatching(/^eop_[0-9A-Za-z]{38}$/),
        created_at: expect.any(String),
        // No `expires_in`: 30 days, the default (a token that never expires is asked for with null).
        expires_at: new Date(Date.parse(created.body.created_at) + 30 * 24 * 3600 * 1000).toISOString(),
      }),
    );
    const forever = await alice.post('/tokens', { name: 'cron', scopes: ['repo'], expires_in: null });
    expect(forever.body.expires_at).toBeNull();
    const repos = await request(t.app).get('/api/repos').set('Authorization', bearer(created.body.token));
    expect(repos.status).toBe(200);
    expect(repos.headers['x-oauth-scopes']).toBe('repo');

    const list = await alice.get('/tokens');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({ id: created.body.id, name: 'deploy script', scopes: ['repo'] }),
      expect.objectContaining({ id: forever.body.id, name: 'cron', expires_at: null }),
    ]);
    expect(list.body[0]).not.toHaveProperty('token');
    expect(list.text).not.toContain(created.body.token);
    expect((await bob.get('/tokens')).body).toEqual([]);
  });

  it('DELETE :id → 204 and the token is refused; another user’s id → 404', async () => {
    const created = await alice.post('/tokens', { name: 'ci', scopes: ['gist'] });
    expect((await bob.delete(`/tokens/${created.body.id}`)).status).toBe(404);
    expect(await guardStatus(created.body.token)).toBe(200);
    const deleted = await alice.delete(`/tokens/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect(await guardStatus(created.body.token)).toBe(401);
    expect((await alice.get('/tokens')).body).toEqual([]);
    expect((await alice.delete(`/tokens/${created.body.id}`)).status).toBe(404);
  });

  it('expires_in (seconds) sets an expiry after which the token is refused', async () => {
    freezeClock();
    const start = Date.now();
    const created = await alice.post('/tokens', { name: 'short', scopes: ['user'], expires_in: 3600 });
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.expires_at) - start).toBeGreaterThanOrEqual(3599_000);
    expect(Date.parse(created.body.expires_at) - start).toBeLessThanOrEqual(3601_000);
    expect(await guardStatus(created.body.token)).toBe(200);
    advanceClock(3601);
    expect(await guardStatus(created.body.token)).toBe(401);
  });

  it.each([
    ['name', { scopes: ['repo'] }],
    ['name', { name: 'x'.repeat(101), scopes: ['repo'] }],
    ['scopes', { name: 'x', scopes: [] }],
    ['scopes', { name: 'x' }],
    ['scopes', { name: 'x', scopes: ['root'] }],
    ['expires_in', { name: 'x', scopes: ['repo'], expires_in: 0 }],
    ['expires_in', { name: 'x', scopes: ['repo'], expires_in: 1.5 }],
    ['expires_in', { name: 'x', scopes: ['repo'], expires_in: 'never' }],
  ])('bad input → 400 naming %s', async (field, body) => {
    expectFieldError(await alice.post('/tokens', body), field);
    expect((await alice.get('/tokens')).body).toEqual([]);
  });

  it('a non-JSON content type → 415', async () => {
    const response = await request(t.app)
      .post('/settings/api/tokens')
      .set(USER_HEADER, 'alice')
      .type('form')
      .send({ name: 'x', scopes: 'repo' });
    expect(response.status).toBe(415);
  });
});

describe('not logged in', () => {
  it.each([
    ['get', '/applications'],
    ['post', '/applications'],
    ['get', '/applications/some-id'],
    ['patch', '/applications/some-id'],
    ['delete', '/applications/some-id'],
    ['post', '/applications/some-id/secret'],
    ['post', '/applications/some-id/revoke-tokens'],
    ['get', '/authorizations'],
    ['delete', '/authorizations/some-client'],
    ['post', '/tokens'],
    ['get', '/tokens'],
    ['delete', '/tokens/some-id'],
  ] as const)('%s %s → 401', async (method, path) => {
    const response = await request(t.app)[method](`/settings/api${path}`).send({});
    expect(response.status).toBe(401);
    expect(response.body.error).toEqual(expect.any(String));
    expect(response.body.error_description).toEqual(expect.any(String));
  });
});
