/**
 * DESIGN "Public API": the host mounts `provider.router` into its existing app. The provider must
 * work whatever the host installed before it (body parsers, sessions) and in Express 4 apps too.
 */
import express, { type Express } from 'express';
import session from 'express-session';
import request from 'supertest';
import { REDIRECT_URI, USER_HEADER } from '../support/fixtures';
import { consentPage, openAuthorize, postDecision } from '../support/flows';
import { authorizeQuery, bearer, locationParams, pkcePair } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';
import { UserAgent } from '../support/user-agent';

// `express4` is an npm alias of express@4 (package.json); its API is what `@types/express` describes.
const express4 = require('express4') as typeof express;

function withParsers(app: Express): void {
  app.use(express.json());
  app.use(express.urlencoded({ extended: true }));
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: true }));
}

function withExpress4Parsers(app: Express): void {
  app.use(express4.json());
  app.use(express4.urlencoded({ extended: true }));
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: true }));
}

/** A full code flow with PKCE and the guards, driven over HTTP only. */
async function fullFlow(t: TestHost) {
  const client = await t.registerApp({ trust: 'host' });
  const pkce = pkcePair();
  const alice = t.browser();
  const { page, fields } = await consentPage(alice, authorizeQuery({ client, scope: 'repo', pkce }));
  expect(page.headers['x-frame-options']).toBe('DENY');
  const approved = await postDecision(alice, fields, 'approve');
  expect(approved.status).toBe(302);
  const code = locationParams(approved).get('code');
  expect(code).toMatch(/^eoc_/);

  // The exchange as JSON, the refresh as a form: both parsers of the host are in play.
  const exchanged = await t.client.send('/oauth/token', {
    json: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code_verifier: pkce.verifier,
    },
  });
  expect(exchanged.status).toBe(200);
  expect(exchanged.headers['cache-control']).toBe('no-store');
  expect(exchanged.body.token_type).toBe('bearer');
  const refreshed = await t.refresh(client, String(exchanged.body.refresh_token));
  expect(refreshed.status).toBe(200);

  const token = refreshed.body.access_token;
  const me = await t.me(token);
  expect(me.status).toBe(200);
  expect(me.body.user).toEqual({ id: 'alice' });
  expect(me.headers['x-oauth-scopes']).toBe('repo');
  expect((await request(t.app).get('/api/repos').query({ access_token: token })).status).toBe(200);
  const posted = await request(t.app)
    .post('/api/me')
    .type('form')
    .send({ access_token: token, note: 'kept' });
  expect(posted.status).toBe(200);
  expect(posted.body.body).toMatchObject({ note: 'kept' });
  const denied = await request(t.app).post('/api/gists').set('Authorization', bearer(token));
  expect(denied.status).toBe(403);
  expect(denied.headers['x-accepted-oauth-scopes']).toBe('gist');

  // The old refresh token is now a replay that revokes the grant.
  expect((await t.refresh(client, String(exchanged.body.refresh_token))).status).toBe(400);
  expect((await t.me(token)).status).toBe(401);
  return client;
}

async function settingsRoundTrip(t: TestHost) {
  const created = await request(t.app)
    .post('/settings/api/applications')
    .set(USER_HEADER, 'alice')
    .send({ name: 'Mounted', homepage_url: 'https://m.example', redirect_uris: ['https://m.example/cb'] });
  expect(created.status).toBe(201);
  const form = await request(t.app)
    .post('/settings/api/applications')
    .set(USER_HEADER, 'alice')
    .type('form')
    .send({ name: 'Mounted', homepage_url: 'https://m.example', 'redirect_uris[]': 'https://m.example/cb' });
  expect(form.status).toBe(415);
  const list = await request(t.app).get('/settings/api/applications').set(USER_HEADER, 'alice');
  expect(list.body).toHaveLength(1);
}

const hosts: [string, HostOptions][] = [
  ['Express 5 without body parsers or sessions', {}],
  [
    'Express 5 with express.json(), express.urlencoded({ extended: true }) and express-session',
    { beforeProvider: withParsers },
  ],
  ['Express 4 without body parsers', { createApp: () => express4() }],
  [
    'Express 4 with express.json(), express.urlencoded({ extended: true }) and express-session',
    { createApp: () => express4(), beforeProvider: withExpress4Parsers },
  ],
];

describe.each(hosts)('mounted in %s', (_label, overrides) => {
  it('runs a full code flow with PKCE, refresh and the guards', async () => {
    await fullFlow(await createTestHost(overrides));
  });

  it('serves the settings JSON API', async () => {
    await settingsRoundTrip(await createTestHost(overrides));
  });

  it('refuses arrays where strings belong, whichever parser read them', async () => {
    const t = await createTestHost(overrides);
    const form = await request(t.app)
      .post('/oauth/token')
      .type('form')
      .send('grant_type=client_credentials&client_id[]=a&client_id[]=b');
    expect(form.status).toBe(400);
    expect(form.body.error).toBe('invalid_request');
    const json = await request(t.app)
      .post('/oauth/token')
      .send({ grant_type: ['client_credentials'] });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    expect(t.errors).toEqual([]);
  });

  it('answers the authorization endpoint’s errors as page or redirect', async () => {
    const t = await createTestHost(overrides);
    const client = await t.registerApp({ trust: 'host' });
    const page = await openAuthorize(t.browser(), { ...authorizeQuery({ client }), client_id: 'nope' });
    expect(page.status).toBe(400);
    expect(page.headers.location).toBeUndefined();
    const redirect = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'nope' }));
    expect(locationParams(redirect).get('error')).toBe('invalid_scope');
  });
});

describe('mounted under a prefix', () => {
  it('the consent form posts back to the mounted path', async () => {
    const t = await createTestHost();
    const host = express();
    host.use('/auth', t.provider.router);
    const client = await t.registerApp({ trust: 'host' });
    const alice = new UserAgent(host, 'alice');
    const { page, fields } = await consentPage(alice, authorizeQuery({ client }), { mount: '/auth' });
    expect(page.text).toContain('action="/auth/oauth/authorize"');
    const approved = await postDecision(alice, fields, 'approve', { mount: '/auth' });
    expect(locationParams(approved).get('code')).toMatch(/^eoc_/);
  });

  it('a logged-out visitor comes back to the mounted path after logging in (GET and POST)', async () => {
    const t = await createTestHost();
    const host = express();
    host.use('/auth', t.provider.router);
    const client = await t.registerApp({ trust: 'host' });
    const shown = await openAuthorize(new UserAgent(host, null), authorizeQuery({ client }), {
      mount: '/auth',
    });
    const fromGet = new URL(String(shown.headers.location), 'http://host.invalid').searchParams.get(
      'return_to',
    );
    expect(fromGet?.startsWith('/auth/oauth/authorize?')).toBe(true);

    const alice = new UserAgent(host, 'alice');
    const { fields } = await consentPage(alice, authorizeQuery({ client }), { mount: '/auth' });
    const posted = await postDecision(alice, fields, 'approve', { mount: '/auth', user: null });
    expect(posted.status).toBe(302);
    const fromPost = new URL(String(posted.headers.location), 'http://host.invalid').searchParams.get(
      'return_to',
    );
    expect(fromPost?.startsWith('/auth/oauth/authorize?')).toBe(true);
  });
});
