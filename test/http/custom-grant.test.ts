/**
 * Host-defined grant types (RFC 6749 §4.5 extension grants): `provider.registerGrantType()` adds
 * one to the token endpoint and the RFC 8414 metadata; its tokens are ordinary tokens that pass
 * `provider.authenticate()`, refresh and revoke like any other. The grant here is a JWT-bearer
 * style one (RFC 7523 §2.1): the client presents an assertion a trusted party signed for a user.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidGrantError, InvalidRequestError } from '../../lib';
import type { GrantType } from '../../lib/grants/grant-type';
import { GRANT_TYPES } from '../../lib/grants/grant-type-names';
import type { Parameters } from '../../lib/http/parse-body';
import { callApi, revoke } from '../support/flows';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SIGNING_KEY = 'the identity provider and the host share this key';

/** `<user>.<HMAC of user>`: a stand-in for a signed JWT, enough to show the host checks it. */
function assertionFor(userId: string): string {
  return `${userId}.${createHmac('sha256', SIGNING_KEY).update(userId).digest('base64url')}`;
}

function userOfAssertion(assertion: string): string | null {
  const [userId = '', signature = ''] = assertion.split('.');
  const expected = Buffer.from(createHmac('sha256', SIGNING_KEY).update(userId).digest('base64url'));
  const given = Buffer.from(signature);
  return userId !== '' && given.length === expected.length && timingSafeEqual(given, expected)
    ? userId
    : null;
}

/** What the handler was given, to check the token endpoint passes declared parameters only. */
let seen: Parameters[] = [];

const jwtBearerGrant: GrantType = {
  name: JWT_BEARER,
  parameters: ['assertion', 'scope'],
  issuesRefreshTokens: true,
  async handler({ params, provider, issue }) {
    seen.push({ ...params });
    if (params.assertion === undefined) throw new InvalidRequestError('Missing parameter: assertion');
    const userId = userOfAssertion(params.assertion);
    if (userId === null) throw new InvalidGrantError('The assertion is invalid');
    return issue({ userId, scopes: provider.options.scopes.parse(params.scope ?? 'user') });
  },
};

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  seen = [];
  t = await createTestHost();
  t.provider.registerGrantType(jwtBearerGrant);
  client = await t.registerApp();
});

/** The grant at the token endpoint, the client authenticating in the body. */
function exchangeAssertion(fields: Record<string, string>) {
  return t.token(client, { grant_type: JWT_BEARER, ...fields }, 'body');
}

describe('provider.registerGrantType()', () => {
  it('lists the grant in the metadata’s grant_types_supported, after the built-in ones', async () => {
    const metadata = (await t.client.send('/.well-known/oauth-authorization-server')).body;
    expect(metadata.grant_types_supported).toEqual([
      GRANT_TYPES.authorizationCode,
      GRANT_TYPES.refreshToken,
      GRANT_TYPES.clientCredentials,
      JWT_BEARER,
    ]);
  });

  it('issues tokens that pass provider.authenticate() as the asserted user', async () => {
    const issued = await exchangeAssertion({ assertion: assertionFor('carol'), scope: 'user repo' });
    expect(issued.status).toBe(200);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.body).toMatchObject({ token_type: 'bearer', scope: 'user repo', expires_in: 7200 });
    const accessToken = String(issued.body.access_token);
    const me = await callApi(t.client, '/api/me', accessToken);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: 'carol' }, client_id: client.clientId, scopes: ['user', 'repo'] });
    expect((await callApi(t.client, '/api/repos', accessToken)).status).toBe(200);
  });

  it('its refresh tokens rotate through the refresh_token grant, and revocation ends them', async () => {
    const issued = await exchangeAssertion({ assertion: assertionFor('carol') });
    const refreshed = await t.refresh(client, String(issued.body.refresh_token));
    expect(refreshed.status).toBe(200);
    const revoked = await revoke(t.client, client, String(refreshed.body.refresh_token), {}, 'body');
    expect(revoked.status).toBe(200);
    expect(await t.guardStatus(refreshed.body.access_token)).toBe(401);
  });

  it('runs after client authentication, and the handler sees only the parameters it declared', async () => {
    const unauthenticated = await t.client.send('/oauth/token', {
      form: { grant_type: JWT_BEARER, assertion: assertionFor('carol') },
    });
    expect(unauthenticated.status).toBe(401);
    expect(seen).toEqual([]);
    await exchangeAssertion({ assertion: assertionFor('carol'), resource: 'https://elsewhere', extra: 'x' });
    expect(seen).toEqual([{ assertion: assertionFor('carol') }]);
  });

  it('the handler’s errors are answered like the built-in grants’ (RFC 6749 §5.2)', async () => {
    const forged = await exchangeAssertion({ assertion: 'carol.forged' });
    expect(forged.status).toBe(400);
    expect(forged.body).toEqual({ error: 'invalid_grant', error_description: 'The assertion is invalid' });
    const missing = await exchangeAssertion({});
    expect(missing.body.error).toBe('invalid_request');
    const badScope = await exchangeAssertion({ assertion: assertionFor('carol'), scope: 'admin' });
    expect(badScope.body.error).toBe('invalid_scope');
  });

  it('emits token.issued with the grant’s name', async () => {
    const issuedEvents: string[] = [];
    t.provider.events.on('token.issued', (event) => issuedEvents.push(event.grantType));
    await exchangeAssertion({ assertion: assertionFor('carol') });
    expect(issuedEvents).toEqual([JWT_BEARER]);
  });

  it('refuses a name already taken, a built-in one (enabled or not) or a malformed one', () => {
    expect(() => t.provider.registerGrantType(jwtBearerGrant)).toThrow(TypeError);
    expect(() => t.provider.registerGrantType({ ...jwtBearerGrant, name: GRANT_TYPES.password })).toThrow(
      TypeError,
    );
    expect(() => t.provider.registerGrantType({ ...jwtBearerGrant, name: 'has space' })).toThrow(TypeError);
    expect(() =>
      t.provider.registerGrantType({ ...jwtBearerGrant, name: 'urn:x', parameters: 'assertion' as never }),
    ).toThrow(TypeError);
  });

  it('a grant that issues no refresh tokens gets none', async () => {
    t.provider.registerGrantType({
      ...jwtBearerGrant,
      name: 'urn:example:no-refresh',
      issuesRefreshTokens: false,
    });
    const issued = await exchangeAssertion({
      grant_type: 'urn:example:no-refresh',
      assertion: assertionFor('dan'),
    });
    expect(issued.status).toBe(200);
    expect(issued.body.refresh_token).toBeUndefined();
  });
});
