/**
 * RFC 6749 §2.3 (client authentication), §3.2 (token endpoint), §4.1.3–§4.1.4 (code exchange),
 * §4.4 (client credentials), §5.1–§5.2 (responses and errors), as fixed by DESIGN.md.
 */
import request from 'supertest';
import {
  bearer,
  makeTestProvider,
  pkcePair,
  REDIRECT_URI,
  type RegisteredApp,
  type TestProvider,
} from '../support/provider-harness';

let t: TestProvider;
let client: RegisteredApp;

beforeEach(async () => {
  t = makeTestProvider();
  client = await t.registerApp();
});

afterEach(() => {
  jest.useRealTimers();
});

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function secretOf(app: RegisteredApp): string {
  if (app.clientSecret === null) throw new Error('a confidential client was expected');
  return app.clientSecret;
}

function postToken() {
  return request(t.app).post('/oauth/token');
}

function expectOAuthError(response: request.Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body.error).toBe(code);
  expect(typeof response.body.error_description).toBe('string');
  expect(response.headers['cache-control']).toBe('no-store');
}

async function guardStatus(token: unknown): Promise<number> {
  return (await request(t.app).get('/api/me').set('Authorization', bearer(token))).status;
}

describe('RFC 6749 §4.1.3–§5.1: authorization_code exchange', () => {
  it('answers the §5.1 JSON fields with Cache-Control: no-store, and the token works', async () => {
    const code = await t.authorize({ client, scope: 'repo gist' });
    const response = await postToken()
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: client.clientId,
        client_secret: secretOf(client),
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^eoa_[0-9A-Za-z]{38}$/),
      token_type: 'bearer',
      expires_in: 7200,
      refresh_token: expect.stringMatching(/^eor_[0-9A-Za-z]{38}$/),
      scope: 'repo gist',
    });
    const me = await request(t.app).get('/api/me').set('Authorization', bearer(response.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: 'alice' },
      client_id: client.clientId,
      scopes: ['repo', 'gist'],
    });
  });

  it('accepts an application/json body as well as a form', async () => {
    const code = await t.authorize({ client, scope: 'user' });
    const response = await postToken()
      .set('Content-Type', 'application/json')
      .send(
        JSON.stringify({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          client_id: client.clientId,
          client_secret: secretOf(client),
        }),
      );
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('bearer');
    expect(response.body.scope).toBe('user');
  });

  it('§2.3.1: accepts HTTP Basic client authentication', async () => {
    const code = await t.authorize({ client });
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expect(response.status).toBe(200);
    expect(response.body.access_token).toMatch(/^eoa_/);
  });

  it('RFC 7617 §2: the Basic scheme name is case-insensitive', async () => {
    const code = await t.authorize({ client });
    const encoded = Buffer.from(`${client.clientId}:${secretOf(client)}`).toString('base64');
    const response = await postToken()
      .set('Authorization', `basic ${encoded}`)
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expect(response.status).toBe(200);
  });

  it('§2.3: Basic and client_secret together → 400 invalid_request', async () => {
    const code = await t.authorize({ client });
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_secret: secretOf(client),
      });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('§2.3: a body client_id that differs from the Basic one → 400 invalid_request', async () => {
    const other = await t.registerApp({ name: 'Other' });
    const code = await t.authorize({ client });
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: other.clientId,
      });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('§5.2: a wrong secret over Basic → 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const code = await t.authorize({ client });
    const response = await postToken()
      .set('Authorization', basic(client.clientId, 'eos_wrong'))
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="/);
  });

  it('§5.2: a wrong secret in the body → 401 invalid_client, and the code still works afterwards', async () => {
    const code = await t.authorize({ client });
    const response = await postToken().type('form').send({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: client.clientId,
      client_secret: 'x',
    });
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect((await t.exchange({ client, code })).status).toBe(200);
  });

  it('§5.2: an unknown client → 401 invalid_client', async () => {
    const code = await t.authorize({ client });
    const response = await postToken()
      .set('Authorization', basic('nobody', 'secret'))
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('no client authentication at all → 401 invalid_client', async () => {
    const code = await t.authorize({ client });
    const response = await postToken()
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expectOAuthError(response, 401, 'invalid_client');
  });

  it('SECURITY (FINDINGS): a confidential client sending client_id + code_verifier without its secret → 401 invalid_client', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client, pkce });
    const response = await postToken().type('form').send({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: client.clientId,
      code_verifier: pkce.verifier,
    });
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.body.access_token).toBeUndefined();
    // With its secret, the same code is still good.
    expect((await t.exchange({ client, code, verifier: pkce.verifier })).status).toBe(200);
  });

  it('a public client must not present a secret', async () => {
    const spa = await t.registerApp({ confidential: false });
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    const response = await postToken().type('form').send({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: spa.clientId,
      client_secret: 'made-up',
      code_verifier: pkce.verifier,
    });
    expectOAuthError(response, 401, 'invalid_client');
  });

  it('a public client exchanges with client_id and PKCE only', async () => {
    const spa = await t.registerApp({ confidential: false });
    const body = await t.issueTokens({ client: spa, scope: 'public_repo' });
    expect(body.token_type).toBe('bearer');
    expect(body.refresh_token).toMatch(/^eor_/);
  });

  it('§4.1.3: a redirect_uri different from the authorization request → invalid_grant', async () => {
    const code = await t.authorize({ client });
    expectOAuthError(
      (await t.exchange({ client, code, redirectUri: 'https://client.example/other' })).response,
      400,
      'invalid_grant',
    );
    expectOAuthError((await t.exchange({ client, code, redirectUri: null })).response, 400, 'invalid_grant');
  });

  it('§4.1.3: the code of another client → invalid_grant', async () => {
    const other = await t.registerApp({ name: 'Other' });
    const code = await t.authorize({ client });
    const answer = await t.exchange({ client: other, code });
    expectOAuthError(answer.response, 400, 'invalid_grant');
    // The rightful client can still use it.
    expect((await t.exchange({ client, code })).status).toBe(200);
  });

  it('an unknown, malformed or missing code → invalid_grant / invalid_request', async () => {
    expectOAuthError((await t.exchange({ client, code: 'eoc_nonsense' })).response, 400, 'invalid_grant');
    const forged = t.provider.options.tokens.generate('code');
    expectOAuthError((await t.exchange({ client, code: forged })).response, 400, 'invalid_grant');
    const refresh = t.provider.options.tokens.generate('refresh');
    expectOAuthError((await t.exchange({ client, code: refresh })).response, 400, 'invalid_grant');
    expectOAuthError((await t.exchange({ client, code: '' })).response, 400, 'invalid_request');
  });

  it('§4.1.2: codes expire within 600 seconds → invalid_grant after that', async () => {
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    const start = Date.now();
    const code = await t.authorize({ client });
    const fresh = await t.authorize({ client });
    jest.setSystemTime(start + 599_000);
    expect((await t.exchange({ client, code: fresh })).status).toBe(200);
    jest.setSystemTime(start + 601_000);
    const late = await t.exchange({ client, code });
    expectOAuthError(late.response, 400, 'invalid_grant');
    expect(late.body.error_description).toMatch(/expired/);
  });
});

describe('DESIGN: non-expiring access tokens (accessTokenTtl: null, as GitHub does)', () => {
  it('§5.1: omits expires_in, issues no refresh token, and the token keeps working', async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
    });
    t = makeTestProvider({ accessTokenTtl: null });
    client = await t.registerApp();
    const body = await t.issueTokens({ client, scope: 'repo' });
    expect(body).toEqual({
      access_token: expect.stringMatching(/^eoa_/),
      token_type: 'bearer',
      scope: 'repo',
    });
    jest.setSystemTime(Date.now() + 400 * 24 * 3600 * 1000);
    expect(await guardStatus(body.access_token)).toBe(200);
  });
});

describe('RFC 6749 §5.2: grant types', () => {
  it('an unknown grant_type → unsupported_grant_type', async () => {
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({ grant_type: 'urn:example:magic' });
    expectOAuthError(response, 400, 'unsupported_grant_type');
  });

  it('a known but disabled grant type (password) → unsupported_grant_type', async () => {
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: 'alice-pass' });
    expectOAuthError(response, 400, 'unsupported_grant_type');
  });

  it('a missing grant_type → invalid_request', async () => {
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({ code: 'x' });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('a grant type switched off in the options is refused', async () => {
    t = makeTestProvider({ grantTypes: ['authorization_code'] });
    const app = await t.registerApp();
    const response = await postToken()
      .set('Authorization', basic(app.clientId, secretOf(app)))
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expectOAuthError(response, 400, 'unsupported_grant_type');
    // Without the refresh_token grant no refresh token is issued.
    const body = await t.issueTokens({ client: app });
    expect(body.refresh_token).toBeUndefined();
  });
});

describe('RFC 6749 §4.4: client_credentials', () => {
  it('issues an access token to a confidential client, without a refresh token (§4.4.3)', async () => {
    const response = await postToken()
      .set('Authorization', basic(client.clientId, secretOf(client)))
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'public_repo' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body.access_token).toMatch(/^eoa_/);
    expect(response.body.token_type).toBe('bearer');
    expect(response.body.scope).toBe('public_repo');
    expect(response.body.refresh_token).toBeUndefined();
    const me = await request(t.app)
      .get('/api/repos')
      .set('Authorization', bearer(response.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: null, client_id: client.clientId });
  });

  it('refuses a public client with unauthorized_client', async () => {
    const spa = await t.registerApp({ confidential: false });
    const response = await postToken()
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: spa.clientId });
    expectOAuthError(response, 400, 'unauthorized_client');
  });

  it('refuses scopes the client may not have with invalid_scope', async () => {
    const limited = await t.registerApp({ scopes: ['user'] });
    const response = await postToken()
      .set('Authorization', basic(limited.clientId, secretOf(limited)))
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'repo' });
    expectOAuthError(response, 400, 'invalid_scope');
  });

  it('needs the client secret', async () => {
    const response = await postToken()
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: client.clientId });
    expectOAuthError(response, 401, 'invalid_client');
  });
});

describe('DESIGN: response formats and CORS', () => {
  it('answers application/x-www-form-urlencoded when Accept prefers it', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const response = await postToken()
      .set('Accept', 'application/x-www-form-urlencoded')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: client.clientId,
        client_secret: secretOf(client),
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(response.headers['cache-control']).toBe('no-store');
    const fields = new URLSearchParams(response.text);
    expect(fields.get('access_token')).toMatch(/^eoa_/);
    expect(fields.get('token_type')).toBe('bearer');
    expect(fields.get('scope')).toBe('repo');
    expect(fields.get('expires_in')).toBe('7200');
    expect(await guardStatus(fields.get('access_token'))).toBe(200);
  });

  it('answers JSON for Accept: application/json and for */*', async () => {
    for (const accept of ['application/json', '*/*']) {
      const code = await t.authorize({ client });
      const response = await postToken()
        .set('Accept', accept)
        .type('form')
        .send({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          client_id: client.clientId,
          client_secret: secretOf(client),
        });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('answers a CORS preflight with 204 and the CORS headers', async () => {
    const response = await request(t.app)
      .options('/oauth/token')
      .set('Origin', 'https://spa.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(response.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
  });

  it('sends CORS headers on token answers and errors, restricted to configured origins', async () => {
    const open = await postToken()
      .set('Origin', 'https://spa.example')
      .type('form')
      .send({ grant_type: 'nope' });
    expect(open.headers['access-control-allow-origin']).toBe('*');

    t = makeTestProvider({ corsOrigins: ['https://spa.example'] });
    const allowed = await request(t.app).options('/oauth/token').set('Origin', 'https://spa.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://spa.example');
    const refused = await request(t.app).options('/oauth/token').set('Origin', 'https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
