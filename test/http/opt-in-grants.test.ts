/**
 * DESIGN: the grants that are off unless the host opts in, and the options that change what a
 * token response holds. Implicit (RFC 6749 §4.2, discouraged by RFC 9700 §2.1.2), password
 * (RFC 6749 §4.3, RFC 9700 §2.4 says MUST NOT; a host hook decides), client_credentials for
 * confidential clients only (RFC 6749 §4.4), and non-expiring access tokens (`accessTokenTtl: null`).
 */
import request from 'supertest';
import { ConfigurationError, type ResourceOwner } from '../../lib';
import { sha256Hex } from '../../lib/tokens/hash';
import { expectTokenResponse } from '../support/assertions';
import { DEFAULT_GRANTS, REDIRECT_URI } from '../support/fixtures';
import { decide as decideAs, openAuthorize } from '../support/flows';
import { authorizeQuery, bearer, fragmentParams, locationParams } from '../support/oauth';
import { createTestHost, type HostOptions, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

async function setUp(options: HostOptions = {}): Promise<void> {
  t = await createTestHost(options);
  client = await t.registerApp({ trust: 'host' });
}

beforeEach(() => setUp());

function showAuthorize(query: Record<string, string>, user = 'alice') {
  return openAuthorize(t.browser(user), query);
}

/** Shows the consent page and posts `decision`; returns the redirect. */
function decide(query: Record<string, string>, decision: 'approve' | 'deny', user = 'alice') {
  return decideAs(t.browser(user), query, decision);
}

function implicitQuery(extra: Record<string, string> = {}): Record<string, string> {
  return { ...authorizeQuery({ client, pkce: null, state: 'xyz' }), response_type: 'token', ...extra };
}

describe('RFC 6749 §4.2: the implicit grant (opt-in)', () => {
  it('off by default: response_type=token → redirect with unsupported_response_type (in the query)', async () => {
    const response = await showAuthorize(implicitQuery());
    expect(response.status).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(location.hash).toBe('');
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.has('access_token')).toBe(false);
  });

  describe('on (grantTypes lists implicit)', () => {
    beforeEach(() => setUp({ grantTypes: [...DEFAULT_GRANTS, 'implicit'] }));

    it('§4.2.2: approve → the access token in the fragment, with token_type, expires_in, scope, state', async () => {
      const response = await decide(implicitQuery({ scope: 'repo gist' }), 'approve');
      expect(response.status).toBe(302);
      expect(response.headers['cache-control']).toBe('no-store');
      const location = new URL(String(response.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.search).toBe('');
      const fragment = fragmentParams(response);
      expect(fragment.get('access_token')).toMatch(/^eoa_/);
      expect(fragment.get('token_type')).toBe('bearer');
      expect(fragment.get('expires_in')).toBe('7200');
      expect(fragment.get('scope')).toBe('repo gist');
      expect(fragment.get('state')).toBe('xyz');
      // §4.2.2: the authorization server MUST NOT issue a refresh token.
      expect(fragment.has('refresh_token')).toBe(false);
      expect(fragment.has('code')).toBe(false);

      const me = await request(t.app)
        .get('/api/me')
        .set('Authorization', bearer(fragment.get('access_token')));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { id: 'alice' }, client_id: client.clientId });
    });

    it('a public client needs no PKCE for the implicit grant (there is no code to protect)', async () => {
      const spa = await t.registerApp({ trust: 'host', confidential: false });
      const query = { ...authorizeQuery({ client: spa, pkce: null }), response_type: 'token' };
      const response = await decide(query, 'approve');
      expect(fragmentParams(response).get('access_token')).toMatch(/^eoa_/);
    });

    it('an app already authorized for the scopes gets the token without the consent page', async () => {
      await decide(implicitQuery({ scope: 'user' }), 'approve');
      const again = await showAuthorize(implicitQuery({ scope: 'user' }));
      expect(again.status).toBe(302);
      expect(fragmentParams(again).get('access_token')).toMatch(/^eoa_/);
    });

    it('§4.2.2.1: errors travel in the fragment too (invalid_scope)', async () => {
      const response = await showAuthorize(implicitQuery({ scope: 'admin' }));
      expect(response.status).toBe(302);
      const location = new URL(String(response.headers.location));
      expect(location.searchParams.has('error')).toBe(false);
      const fragment = fragmentParams(response);
      expect(fragment.get('error')).toBe('invalid_scope');
      expect(fragment.get('state')).toBe('xyz');
    });

    it('§4.2.2.1: deny → access_denied in the fragment', async () => {
      const response = await decide(implicitQuery({ scope: 'user' }), 'deny');
      expect(response.status).toBe(302);
      const fragment = fragmentParams(response);
      expect(fragment.get('error')).toBe('access_denied');
      expect(fragment.get('state')).toBe('xyz');
      expect(fragment.has('access_token')).toBe(false);
    });

    it('response_type=code keeps working beside it, with its answer in the query', async () => {
      const tokens = await t.issueTokens({ client, scope: 'user' });
      expect(tokens.refreshToken).toMatch(/^eor_/);
    });
  });

  it('implicit alone: response_type=code → unsupported_response_type (no grant would redeem the code)', async () => {
    await setUp({ grantTypes: ['implicit'] });
    const response = await showAuthorize(authorizeQuery({ client, state: 'xyz' }));
    expect(response.status).toBe(302);
    expect(locationParams(response).get('error')).toBe('unsupported_response_type');
    const implicit = await decide(implicitQuery(), 'approve');
    expect(fragmentParams(implicit).get('access_token')).toMatch(/^eoa_/);
  });
});

describe('RFC 6749 §4.3: the password grant (opt-in, host-decided)', () => {
  const alice: ResourceOwner = { id: 'alice', username: 'alice' };
  const verifyPassword = jest.fn((username: string, password: string) => {
    if (username === 'alice' && password === 'alice-pass') return alice;
    if (username === 'carol' && password === 'carol-pass')
      return { refused: 'Two-factor authentication is enabled; use the web flow' };
    return null;
  });

  function passwordGrant(fields: Record<string, string>, as: RegisteredApp = client) {
    return t.token(as, { grant_type: 'password', ...fields });
  }

  beforeEach(() => verifyPassword.mockClear());

  it('off by default → unsupported_grant_type, and the host hook is never asked', async () => {
    await setUp({ verifyPassword });
    const response = await passwordGrant({ username: 'alice', password: 'alice-pass' });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unsupported_grant_type');
    expect(verifyPassword).not.toHaveBeenCalled();
  });

  describe('on (grantTypes lists password, verifyPassword given)', () => {
    beforeEach(() => setUp({ grantTypes: [...DEFAULT_GRANTS, 'password'], verifyPassword }));

    it('right credentials → tokens for the user; verifyPassword gets the client', async () => {
      const response = await passwordGrant({ username: 'alice', password: 'alice-pass', scope: 'repo' });
      expectTokenResponse(response, 'repo');
      expect(verifyPassword).toHaveBeenCalledWith(
        'alice',
        'alice-pass',
        expect.objectContaining({ clientId: client.clientId }),
      );
      const me = await t.me(response.body.access_token);
      expect(me.body).toMatchObject({ user: { id: 'alice' }, scopes: ['repo'] });
      // The refresh token rotates like any other.
      expect((await t.refresh(client, String(response.body.refresh_token))).status).toBe(200);
    });

    it('a wrong password or unknown user → 400 invalid_grant', async () => {
      for (const fields of [
        { username: 'alice', password: 'wrong' },
        { username: 'mallory', password: 'x' },
      ]) {
        const response = await passwordGrant(fields);
        expect(response.status).toBe(400);
        expect(response.body.error).toBe('invalid_grant');
        expect(response.body).not.toHaveProperty('access_token');
      }
    });

    it('{ refused } → invalid_grant with the host reason as error_description', async () => {
      const response = await passwordGrant({ username: 'carol', password: 'carol-pass' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: 'invalid_grant',
        error_description: 'Two-factor authentication is enabled; use the web flow',
      });
    });

    it('a client that fails authentication never reaches verifyPassword (no password oracle)', async () => {
      const response = await t.token(
        { ...client, clientSecret: 'wrong' },
        { grant_type: 'password', username: 'alice', password: 'alice-pass' },
        'body',
      );
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      expect(verifyPassword).not.toHaveBeenCalled();
    });

    it('missing username → invalid_request; a scope the client may not have → invalid_scope', async () => {
      const missing = await passwordGrant({ password: 'alice-pass' });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('invalid_request');
      const limited = await t.registerApp({ trust: 'host', name: 'Limited', scopes: ['user'] });
      const beyond = await passwordGrant(
        { username: 'alice', password: 'alice-pass', scope: 'repo' },
        limited,
      );
      expect(beyond.status).toBe(400);
      expect(beyond.body.error).toBe('invalid_scope');
      expect(verifyPassword).not.toHaveBeenCalled();
    });
  });

  it("grantTypes: ['password'] without verifyPassword → ConfigurationError naming verifyPassword", async () => {
    let thrown: unknown;
    try {
      await createTestHost({ grantTypes: ['password'] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).option).toBe('verifyPassword');
    expect((thrown as ConfigurationError).message).toContain('verifyPassword');
  });
});

describe('RFC 6749 §4.4: client_credentials is for confidential clients', () => {
  it('a public client → 400 unauthorized_client', async () => {
    const spa = await t.registerApp({ trust: 'host', confidential: false });
    const response = await t.token(spa, { grant_type: 'client_credentials' });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('a confidential client → an access token and no refresh token (§4.4.3)', async () => {
    const response = await t.token(client, { grant_type: 'client_credentials', scope: 'ci:status' });
    expect(response.status).toBe(200);
    expect(response.body.access_token).toMatch(/^eoa_/);
    expect(response.body).not.toHaveProperty('refresh_token');
  });
});

describe('accessTokenTtl: null (non-expiring access tokens, as GitHub issues)', () => {
  beforeEach(() => setUp({ accessTokenTtl: null }));

  it('the token response has no expires_in and no refresh_token; the token works', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const answer = await t.exchange({ client, code });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^eoa_/),
      token_type: 'bearer',
      scope: 'repo',
    });
    const me = await t.me(answer.body.access_token);
    expect(me.status).toBe(200);
    expect(
      (await t.adapter.findTokenByHash(sha256Hex(String(answer.body.access_token))))?.expiresAt,
    ).toBeNull();
  });

  it('the same holds for the password grant', async () => {
    await setUp({
      accessTokenTtl: null,
      grantTypes: [...DEFAULT_GRANTS, 'password'],
      verifyPassword: () => ({ id: 'bob' }),
    });
    const response = await t.token(client, { grant_type: 'password', username: 'bob', password: 'x' });
    const { body } = response;
    expect(response.status).toBe(200);
    expect(body.access_token).toMatch(/^eoa_/);
    expect(body).not.toHaveProperty('expires_in');
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('and for the implicit grant (no expires_in in the fragment)', async () => {
    await setUp({ accessTokenTtl: null, grantTypes: [...DEFAULT_GRANTS, 'implicit'] });
    const response = await decide(implicitQuery({ scope: 'user' }), 'approve');
    const fragment = fragmentParams(response);
    expect(fragment.get('access_token')).toMatch(/^eoa_/);
    expect(fragment.has('expires_in')).toBe(false);
    expect(fragment.has('refresh_token')).toBe(false);
  });
});
