/**
 * RFC 6749 §2.3 (client authentication), §3.2 (token endpoint), §4.1.3–§4.1.4 (code exchange),
 * §4.1.2 / §10.5 (codes are single use), §4.4 (client credentials), §5.1–§5.2 (responses and
 * errors), as fixed by DESIGN.md.
 */
import request from 'supertest';
import {
  expectActsFor,
  expectFormTokenResponse,
  expectOAuthError,
  expectTokenResponse,
} from '../support/assertions';
import { advanceClock, freezeClock } from '../support/clock';
import { REDIRECT_URI } from '../support/fixtures';
import { basicAuth, pkcePair } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';
import type { Answer } from '../support/user-agent';

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp();
});

function secretOf(app: RegisteredApp): string {
  if (app.clientSecret === null) throw new Error('a confidential client was expected');
  return app.clientSecret;
}

/** A raw `POST /oauth/token` with `headers`, for the requests no client library would send. */
function postToken(body: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return t.client.send('/oauth/token', { form: body, headers });
}

/** The exchange fields of RFC 6749 §4.1.3 for `code`. */
function codeGrant(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra };
}

describe('RFC 6749 §4.1.3–§5.1: authorization_code exchange', () => {
  it('answers the §5.1 JSON fields with Cache-Control: no-store, and the token works', async () => {
    const code = await t.authorize({ client, scope: 'repo gist' });
    const response = await t.token(client, codeGrant(code), 'body');
    expectTokenResponse(response, 'repo gist');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers.pragma).toBe('no-cache');
    expectActsFor(await t.me(response.body.access_token), {
      user: 'alice',
      clientId: client.clientId,
      scopes: ['repo', 'gist'],
    });
  });

  it('accepts an application/json body as well as a form', async () => {
    const code = await t.authorize({ client, scope: 'user' });
    const response = await t.client.send('/oauth/token', {
      json: codeGrant(code, { client_id: client.clientId, client_secret: secretOf(client) }),
    });
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('bearer');
    expect(response.body.scope).toBe('user');
  });

  it('§2.3.1: accepts HTTP Basic client authentication', async () => {
    const code = await t.authorize({ client });
    const response = await t.token(client, codeGrant(code), 'basic');
    expect(response.status).toBe(200);
    expect(response.body.access_token).toMatch(/^eoa_/);
  });

  it('RFC 7617 §2: the Basic scheme name is case-insensitive', async () => {
    const code = await t.authorize({ client });
    const encoded = Buffer.from(`${client.clientId}:${secretOf(client)}`).toString('base64');
    const response = await postToken(codeGrant(code), { authorization: `basic ${encoded}` });
    expect(response.status).toBe(200);
  });

  it('§2.3: Basic and client_secret together → 400 invalid_request', async () => {
    const code = await t.authorize({ client });
    const response = await postToken(codeGrant(code, { client_secret: secretOf(client) }), {
      authorization: basicAuth(client.clientId, secretOf(client)),
    });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('§2.3: a body client_id that differs from the Basic one → 400 invalid_request', async () => {
    const other = await t.registerApp({ name: 'Other' });
    const code = await t.authorize({ client });
    const response = await postToken(codeGrant(code, { client_id: other.clientId }), {
      authorization: basicAuth(client.clientId, secretOf(client)),
    });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('§5.2: a wrong secret over Basic → 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const code = await t.authorize({ client });
    const response = await t.token({ ...client, clientSecret: 'eos_wrong' }, codeGrant(code), 'basic');
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="/);
  });

  it('§5.2: a wrong secret in the body → 401 invalid_client, and the code still works afterwards', async () => {
    const code = await t.authorize({ client });
    const response = await t.token({ ...client, clientSecret: 'x' }, codeGrant(code), 'body');
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect((await t.exchange({ client, code })).status).toBe(200);
  });

  it('§5.2: an unknown client → 401 invalid_client', async () => {
    const code = await t.authorize({ client });
    const response = await t.token({ clientId: 'nobody', clientSecret: 'secret' }, codeGrant(code), 'basic');
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('no client authentication at all → 401 invalid_client', async () => {
    const code = await t.authorize({ client });
    expectOAuthError(await postToken(codeGrant(code)), 401, 'invalid_client');
  });

  it('SECURITY (FINDINGS): a confidential client sending client_id + code_verifier without its secret → 401 invalid_client', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client, pkce });
    const response = await t.token(client, codeGrant(code, { code_verifier: pkce.verifier }), 'none');
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.body.access_token).toBeUndefined();
    // With its secret, the same code is still good.
    expect((await t.exchange({ client, code, verifier: pkce.verifier })).status).toBe(200);
  });

  it('a public client must not present a secret', async () => {
    const spa = await t.registerApp({ confidential: false });
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    const response = await postToken(
      codeGrant(code, { client_id: spa.clientId, client_secret: 'made-up', code_verifier: pkce.verifier }),
    );
    expectOAuthError(response, 401, 'invalid_client');
  });

  it('a public client exchanges with client_id and PKCE only', async () => {
    const spa = await t.registerApp({ confidential: false });
    const { body } = await t.issueTokens({ client: spa, scope: 'public_repo' });
    expect(body.token_type).toBe('bearer');
    expect(body.refresh_token).toMatch(/^eor_/);
  });

  it('§4.1.3: a redirect_uri different from the authorization request → invalid_grant', async () => {
    const code = await t.authorize({ client });
    expectOAuthError(
      await t.exchange({ client, code, redirectUri: 'https://client.example/other' }),
      400,
      'invalid_grant',
    );
    expectOAuthError(await t.exchange({ client, code, redirectUri: null }), 400, 'invalid_grant');
  });

  it('§4.1.3: the code of another client → invalid_grant', async () => {
    const other = await t.registerApp({ name: 'Other' });
    const code = await t.authorize({ client });
    expectOAuthError(await t.exchange({ client: other, code }), 400, 'invalid_grant');
    // The rightful client can still use it.
    expect((await t.exchange({ client, code })).status).toBe(200);
  });

  it('an unknown, malformed or missing code → invalid_grant / invalid_request', async () => {
    expectOAuthError(await t.exchange({ client, code: 'eoc_nonsense' }), 400, 'invalid_grant');
    const forged = t.provider.options.tokens.generate('code');
    expectOAuthError(await t.exchange({ client, code: forged }), 400, 'invalid_grant');
    const refresh = t.provider.options.tokens.generate('refresh');
    expectOAuthError(await t.exchange({ client, code: refresh }), 400, 'invalid_grant');
    expectOAuthError(await t.exchange({ client, code: '' }), 400, 'invalid_request');
  });

  it('§4.1.2: codes expire within 600 seconds → invalid_grant after that', async () => {
    freezeClock();
    const code = await t.authorize({ client });
    const fresh = await t.authorize({ client });
    advanceClock(599);
    expect((await t.exchange({ client, code: fresh })).status).toBe(200);
    advanceClock(2);
    const late = await t.exchange({ client, code });
    expectOAuthError(late, 400, 'invalid_grant');
    expect(late.body.error_description).toMatch(/expired/);
  });
});

describe('RFC 6749 §4.1.2 / §10.5: authorization codes are single use', () => {
  it('a second exchange → invalid_grant, and the tokens of the first exchange are refused from then on', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const first = await t.exchange({ client, code });
    expect(first.status).toBe(200);
    expect(await t.guardStatus(first.body.access_token)).toBe(200);

    const second = await t.exchange({ client, code });
    expectOAuthError(second, 400, 'invalid_grant');
    expect(second.body.access_token).toBeUndefined();

    expect(await t.guardStatus(first.body.access_token)).toBe(401);
    expectOAuthError(await t.refresh(client, String(first.body.refresh_token)), 400, 'invalid_grant');
  });

  it('a replay revokes only the tokens descending from that code, not other authorizations', async () => {
    const other = await t.issueTokens({ client, scope: 'user', user: 'bob' });
    const code = await t.authorize({ client, scope: 'repo' });
    expect((await t.exchange({ client, code })).status).toBe(200);
    expect((await t.exchange({ client, code })).status).toBe(400);
    expect(await t.guardStatus(other.accessToken)).toBe(200);
  });

  it('tokens refreshed from the first exchange are revoked by a replay too', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const first = await t.exchange({ client, code });
    const rotated = await t.refresh(client, String(first.body.refresh_token));
    expect(rotated.status).toBe(200);
    expect(await t.guardStatus(rotated.body.access_token)).toBe(200);
    expect((await t.exchange({ client, code })).status).toBe(400);
    expect(await t.guardStatus(rotated.body.access_token)).toBe(401);
    expect((await t.refresh(client, String(rotated.body.refresh_token))).status).toBe(400);
  });

  it('a failed exchange (wrong redirect_uri) does not consume the code', async () => {
    const code = await t.authorize({ client });
    expect((await t.exchange({ client, code, redirectUri: 'https://client.example/x' })).status).toBe(400);
    expect((await t.exchange({ client, code })).status).toBe(200);
  });
});

describe('DESIGN: non-expiring access tokens (accessTokenTtl: null, as GitHub does)', () => {
  it('§5.1: omits expires_in, issues no refresh token, and the token keeps working', async () => {
    freezeClock();
    t = await createTestHost({ accessTokenTtl: null });
    client = await t.registerApp();
    const { body } = await t.issueTokens({ client, scope: 'repo' });
    expect(body).toEqual({
      access_token: expect.stringMatching(/^eoa_/),
      token_type: 'bearer',
      scope: 'repo',
    });
    advanceClock(400 * 24 * 3600);
    expect(await t.guardStatus(body.access_token)).toBe(200);
  });
});

describe('RFC 6749 §5.2: grant types', () => {
  it('an unknown grant_type → unsupported_grant_type', async () => {
    const response = await t.token(client, { grant_type: 'urn:example:magic' });
    expectOAuthError(response, 400, 'unsupported_grant_type');
  });

  it('a known but disabled grant type (password) → unsupported_grant_type', async () => {
    const response = await t.token(client, {
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pass',
    });
    expectOAuthError(response, 400, 'unsupported_grant_type');
  });

  it('a missing grant_type → invalid_request', async () => {
    expectOAuthError(await t.token(client, { code: 'x' }), 400, 'invalid_request');
  });

  it('a grant type switched off in the options is refused', async () => {
    t = await createTestHost({ grantTypes: ['authorization_code'] });
    const app = await t.registerApp();
    expectOAuthError(await t.token(app, { grant_type: 'client_credentials' }), 400, 'unsupported_grant_type');
    // Without the refresh_token grant no refresh token is issued.
    const { body } = await t.issueTokens({ client: app });
    expect(body.refresh_token).toBeUndefined();
  });
});

describe('RFC 6749 §4.4: client_credentials', () => {
  it('issues an access token to a confidential client, without a refresh token (§4.4.3)', async () => {
    const response = await t.token(client, { grant_type: 'client_credentials', scope: 'ci:status' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body.access_token).toMatch(/^eoa_/);
    expect(response.body.token_type).toBe('bearer');
    expect(response.body.scope).toBe('ci:status');
    expect(response.body.refresh_token).toBeUndefined();
    const me = await t.postWithToken('/api/statuses', response.body.access_token);
    expect(me.status).toBe(201);
    expect(me.body).toMatchObject({ user: null, client_id: client.clientId });
  });

  it('refuses a public client with unauthorized_client', async () => {
    const spa = await t.registerApp({ confidential: false });
    expectOAuthError(await t.token(spa, { grant_type: 'client_credentials' }), 400, 'unauthorized_client');
  });

  it('refuses scopes the client may not have with invalid_scope', async () => {
    const limited = await t.registerApp({ scopes: ['user'] });
    const response = await t.token(limited, { grant_type: 'client_credentials', scope: 'ci:status' });
    expectOAuthError(response, 400, 'invalid_scope');
  });

  it('needs the client secret', async () => {
    const response = await t.token(client, { grant_type: 'client_credentials' }, 'none');
    expectOAuthError(response, 401, 'invalid_client');
  });
});

describe('DESIGN: response formats and CORS', () => {
  it('answers application/x-www-form-urlencoded when Accept prefers it', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const response = await postToken(
      codeGrant(code, { client_id: client.clientId, client_secret: secretOf(client) }),
      { accept: 'application/x-www-form-urlencoded' },
    );
    const fields = expectFormTokenResponse(response, 'repo');
    expect(await t.guardStatus(fields.get('access_token'))).toBe(200);
  });

  it('answers JSON for Accept: application/json and for */*', async () => {
    for (const accept of ['application/json', '*/*']) {
      const code = await t.authorize({ client });
      const response = await postToken(
        codeGrant(code, { client_id: client.clientId, client_secret: secretOf(client) }),
        { accept },
      );
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('a token answer, JSON or form, is framed exactly (Content-Length, UTF-8) and carries no ETag: it is never cached', async () => {
    for (const accept of ['application/json', 'application/x-www-form-urlencoded']) {
      const code = await t.authorize({ client, scope: 'repo' });
      const response = await postToken(
        codeGrant(code, { client_id: client.clientId, client_secret: secretOf(client) }),
        { accept },
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(`${accept}; charset=utf-8`);
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.text)));
      expect(response.headers.etag).toBeUndefined();
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.pragma).toBe('no-cache');
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
    const open = await postToken({ grant_type: 'nope' }, { origin: 'https://spa.example' });
    expect(open.headers['access-control-allow-origin']).toBe('*');

    t = await createTestHost({ corsOrigins: ['https://spa.example'] });
    const allowed = await request(t.app).options('/oauth/token').set('Origin', 'https://spa.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://spa.example');
    const refused = await request(t.app).options('/oauth/token').set('Origin', 'https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
