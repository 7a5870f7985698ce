/**
 * DESIGN "The example provider": the app `npm start` runs, driven as a newcomer would — log in as
 * alice, register an application through the JSON API, run the PKCE flow, call the API.
 */
import request from 'supertest';
import { createExampleProvider } from '../../examples/provider/app';
import { hiddenFields, locationParams, pkcePair } from '../support/provider-harness';

const ISSUER = 'http://localhost:3000';
const CALLBACK = 'http://127.0.0.1/callback';

interface TokenResponse {
  access_token: string;
  token_type: string;
  scope: string;
  refresh_token?: string;
  expires_in?: number;
}

function makeApp() {
  return createExampleProvider({ issuer: ISSUER, sessionSecret: 'example-test-session-secret' }).app;
}

async function loggedInAgent(app: ReturnType<typeof makeApp>, username = 'alice', password = 'alice-pass') {
  const agent = request.agent(app);
  const login = await agent.post('/login').type('form').send({ username, password, return_to: '/' });
  expect(login.status).toBe(302);
  expect(login.headers.location).toBe('/');
  return agent;
}

/** Registers an app as the agent's user, runs the PKCE flow and returns the token response. */
async function pkceTokens(agent: request.Agent, app: ReturnType<typeof makeApp>, scope: string) {
  const registered = await agent.post('/settings/api/applications').send({
    name: 'CLI',
    homepage_url: 'https://cli.example',
    redirect_uris: [CALLBACK],
    confidential: false,
  });
  expect(registered.status).toBe(201);
  expect(registered.body).not.toHaveProperty('client_secret');
  const clientId = String(registered.body.client_id);
  const pkce = pkcePair();
  // RFC 8252 §7.3: the native app listens on a port of its choosing.
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const query = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: 'xyz',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  };
  const page = await agent.get('/oauth/authorize').query(query);
  expect(page.status).toBe(200);
  expect(page.text).toContain('CLI');
  const approved = await agent
    .post('/oauth/authorize')
    .type('form')
    .send({ ...hiddenFields(page.text), decision: 'approve' });
  expect(approved.status).toBe(302);
  expect(String(approved.headers.location).startsWith(`${redirectUri}?`)).toBe(true);
  const params = locationParams(approved);
  expect(params.get('state')).toBe('xyz');
  expect(params.get('iss')).toBe(ISSUER);
  const exchanged = await request(app)
    .post('/oauth/token')
    .type('form')
    .send({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: pkce.verifier,
    });
  expect(exchanged.status).toBe(200);
  return { clientId, tokens: exchanged.body as TokenResponse };
}

describe('examples/provider', () => {
  it('has its own login: GET /login is a form, a wrong password is refused', async () => {
    const app = makeApp();
    const form = await request(app).get('/login');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="username"');
    expect(form.text).toContain('name="password"');
    const wrong = await request(app)
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'nope' });
    expect(wrong.status).toBe(401);
    const unknown = await request(app)
      .post('/login')
      .type('form')
      .send({ username: 'mallory', password: 'x' });
    expect(unknown.status).toBe(401);
  });

  it('sends a logged-out visitor to /login and back to the authorization request', async () => {
    const app = makeApp();
    const agent = await loggedInAgent(app);
    const registered = await agent
      .post('/settings/api/applications')
      .send({ name: 'Web', homepage_url: 'https://web.example', redirect_uris: ['https://web.example/cb'] });
    const query = `response_type=code&client_id=${registered.body.client_id}&redirect_uri=${encodeURIComponent('https://web.example/cb')}&scope=user&state=s`;

    const visitor = request.agent(app);
    const toLogin = await visitor.get(`/oauth/authorize?${query}`);
    expect(toLogin.status).toBe(302);
    const loginUrl = new URL(String(toLogin.headers.location), ISSUER);
    expect(loginUrl.pathname).toBe('/login');
    const returnTo = loginUrl.searchParams.get('return_to') ?? '';
    expect(returnTo).toBe(`/oauth/authorize?${query}`);
    const login = await visitor
      .post('/login')
      .type('form')
      .send({ username: 'bob', password: 'bob-pass', return_to: returnTo });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe(returnTo);
    const consent = await visitor.get(returnTo);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Read your profile information');
  });

  it('alice: register through the JSON API, PKCE flow, GET /api/user → { id, login: "alice" }', async () => {
    const app = makeApp();
    const agent = await loggedInAgent(app);
    const { tokens } = await pkceTokens(agent, app, 'user');
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('user');
    const user = await request(app).get('/api/user').set('Authorization', `Bearer ${tokens.access_token}`);
    expect(user.status).toBe(200);
    expect(user.body).toEqual({ id: '1', login: 'alice' });
    expect(user.headers['x-oauth-scopes']).toBe('user');
    expect((await request(app).get('/api/user')).status).toBe(401);
  });

  it('GET /api/repos needs public_repo (repo counts); POST /api/repos needs repo; POST /api/gists needs gist', async () => {
    const app = makeApp();
    const agent = await loggedInAgent(app);
    const { tokens: user } = await pkceTokens(agent, app, 'user');
    const { tokens: publicRepo } = await pkceTokens(agent, app, 'public_repo');
    const { tokens: repo } = await pkceTokens(agent, app, 'repo gist');
    const auth = (token: string) => `Bearer ${token}`;

    const deniedList = await request(app).get('/api/repos').set('Authorization', auth(user.access_token));
    expect(deniedList.status).toBe(403);
    expect(deniedList.headers['x-accepted-oauth-scopes']).toBe('public_repo, repo');
    const list = await request(app).get('/api/repos').set('Authorization', auth(publicRepo.access_token));
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ name: 'hello-world', owner: 'alice', private: false }]);
    expect((await request(app).get('/api/repos').set('Authorization', auth(repo.access_token))).status).toBe(
      200,
    );

    const deniedCreate = await request(app)
      .post('/api/repos')
      .set('Authorization', auth(publicRepo.access_token))
      .send({ name: 'new-repo' });
    expect(deniedCreate.status).toBe(403);
    expect(String(deniedCreate.headers['www-authenticate'])).toContain('scope="repo"');
    const created = await request(app)
      .post('/api/repos')
      .set('Authorization', auth(repo.access_token))
      .send({ name: 'new-repo' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'new-repo', owner: 'alice', private: false });

    const deniedGist = await request(app)
      .post('/api/gists')
      .set('Authorization', auth(publicRepo.access_token))
      .send({ description: 'x' });
    expect(deniedGist.status).toBe(403);
    const gist = await request(app)
      .post('/api/gists')
      .set('Authorization', auth(repo.access_token))
      .send({ description: 'notes' });
    expect(gist.status).toBe(201);
    expect(gist.body).toEqual({ owner: 'alice', description: 'notes' });
  });

  it('serves RFC 8414 metadata for its issuer and the settings API only to logged-in users', async () => {
    const app = makeApp();
    const metadata = await request(app).get('/.well-known/oauth-authorization-server');
    expect(metadata.body.issuer).toBe(ISSUER);
    expect(metadata.body.token_endpoint).toBe(`${ISSUER}/oauth/token`);
    expect(metadata.body.scopes_supported).toEqual(['user', 'repo', 'public_repo', 'gist', 'ci:status']);
    expect((await request(app).get('/settings/api/applications')).status).toBe(401);
  });

  it('bob cannot see or change alice’s applications; logout ends the session', async () => {
    const app = makeApp();
    const alice = await loggedInAgent(app);
    const created = await alice
      .post('/settings/api/applications')
      .send({ name: 'Mine', homepage_url: 'https://m.example', redirect_uris: ['https://m.example/cb'] });
    const bob = await loggedInAgent(app, 'bob', 'bob-pass');
    expect((await bob.get(`/settings/api/applications/${created.body.id}`)).status).toBe(404);
    expect((await bob.delete(`/settings/api/applications/${created.body.id}`)).status).toBe(404);
    expect((await bob.get('/settings/api/applications')).body).toEqual([]);
    const logout = await alice.post('/logout');
    expect(logout.status).toBe(302);
    expect((await alice.get('/settings/api/applications')).status).toBe(401);
  });
});
