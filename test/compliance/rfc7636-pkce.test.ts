/**
 * RFC 7636 (PKCE): §4.3 the challenge at the authorization endpoint, §4.4.1 errors, §4.5–§4.6 the
 * verifier at the token endpoint; DESIGN: S256 only unless `allowPlainPkce`, required for public
 * clients.
 */
import { sha256Hex } from '../../lib/tokens/hash';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, locationParams, pkcePair } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let spa: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  spa = await t.registerApp({ trust: 'host', confidential: false });
});

async function authorizeError(query: Record<string, string>) {
  const response = await openAuthorize(t.browser(), query);
  expect(response.status).toBe(302);
  const params = locationParams(response);
  expect(params.get('code')).toBeNull();
  expect(params.get('state')).toBe('state-123');
  return params;
}

describe('RFC 7636 §4.6: S256', () => {
  it('exchanges a code with the matching verifier', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    const answer = await t.exchange({ client: spa, code, verifier: pkce.verifier });
    expect(answer.status).toBe(200);
    expect(answer.body.access_token).toMatch(/^eoa_/);
  });

  it('§4.4: the code is stored by its hash, bound to the challenge, and consumed by the exchange', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    expect(await t.adapter.findTokenByHash(sha256Hex(code))).toMatchObject({
      kind: 'code',
      userId: 'alice',
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      consumedAt: null,
    });
    expect((await t.exchange({ client: spa, code, verifier: pkce.verifier })).status).toBe(200);
    expect((await t.adapter.findTokenByHash(sha256Hex(code)))?.consumedAt).toBeInstanceOf(Date);
  });

  it('refuses a wrong verifier with invalid_grant', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    const answer = await t.exchange({ client: spa, code, verifier: pkcePair().verifier });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('a wrong verifier does not burn the code for the rightful holder', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    expect((await t.exchange({ client: spa, code, verifier: pkcePair().verifier })).status).toBe(400);
    expect((await t.exchange({ client: spa, code, verifier: pkce.verifier })).status).toBe(200);
  });

  it('refuses a missing verifier when a challenge was sent (§4.5)', async () => {
    const code = await t.authorize({ client: spa, pkce: pkcePair() });
    const answer = await t.exchange({ client: spa, code, verifier: null });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
  });

  it('refuses a malformed verifier (§4.1: 43–128 unreserved characters)', async () => {
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, pkce });
    const answer = await t.exchange({ client: spa, code, verifier: `${pkce.verifier}!` });
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('refuses a verifier for a code issued without a challenge (downgrade)', async () => {
    const confidential = await t.registerApp({ trust: 'host' });
    const code = await t.authorize({ client: confidential, pkce: null });
    const answer = await t.exchange({ client: confidential, code, verifier: pkcePair().verifier });
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('a confidential client may use PKCE too, and then must send the verifier', async () => {
    const confidential = await t.registerApp({ trust: 'host' });
    const pkce = pkcePair();
    const code = await t.authorize({ client: confidential, pkce });
    expect((await t.exchange({ client: confidential, code, verifier: null })).body.error).toBe(
      'invalid_request',
    );
    expect((await t.exchange({ client: confidential, code, verifier: pkce.verifier })).status).toBe(200);
  });
});

describe('RFC 7636 §4.3 / §4.4.1: the challenge at the authorization endpoint', () => {
  it('a public client without code_challenge → invalid_request', async () => {
    const params = await authorizeError(authorizeQuery({ client: spa, pkce: null }));
    expect(params.get('error')).toBe('invalid_request');
  });

  it('requirePkce: "all" demands PKCE from confidential clients too', async () => {
    t = await createTestHost({ requirePkce: 'all' });
    const confidential = await t.registerApp({ trust: 'host' });
    const params = await authorizeError(authorizeQuery({ client: confidential, pkce: null }));
    expect(params.get('error')).toBe('invalid_request');
  });

  it.each([
    ['too short', 'a'.repeat(42)],
    ['too long', 'a'.repeat(129)],
    ['with characters outside [A-Za-z0-9-._~]', `${'a'.repeat(42)}+`],
    ['padded base64', `${'a'.repeat(42)}=`],
  ])('a challenge %s → invalid_request', async (_label, challenge) => {
    const query = {
      ...authorizeQuery({ client: spa, pkce: null }),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    expect((await authorizeError(query)).get('error')).toBe('invalid_request');
  });

  it('an unknown code_challenge_method → invalid_request', async () => {
    const query = { ...authorizeQuery({ client: spa }), code_challenge_method: 'S512' };
    expect((await authorizeError(query)).get('error')).toBe('invalid_request');
  });

  it('code_challenge_method without code_challenge → invalid_request', async () => {
    const query = { ...authorizeQuery({ client: spa, pkce: null }), code_challenge_method: 'S256' };
    expect((await authorizeError(query)).get('error')).toBe('invalid_request');
  });

  it('plain is refused by default, explicitly or as the §4.3 default method', async () => {
    const verifier = pkcePair().verifier;
    const explicit = {
      ...authorizeQuery({ client: spa, pkce: null }),
      code_challenge: verifier,
      code_challenge_method: 'plain',
    };
    expect((await authorizeError(explicit)).get('error')).toBe('invalid_request');
    const implicit = { ...authorizeQuery({ client: spa, pkce: null }), code_challenge: verifier };
    expect((await authorizeError(implicit)).get('error')).toBe('invalid_request');
  });

  it('plain works end to end when allowPlainPkce is on', async () => {
    t = await createTestHost({ allowPlainPkce: true });
    spa = await t.registerApp({ trust: 'host', confidential: false });
    const verifier = 'plain-verifier-'.padEnd(50, 'a');
    const code = await t.authorize({
      client: spa,
      pkce: null,
      extra: { code_challenge: verifier, code_challenge_method: 'plain' },
    });
    expect(
      (await t.exchange({ client: spa, code, verifier: 'plain-verifier-'.padEnd(50, 'b') })).body.error,
    ).toBe('invalid_grant');
    expect((await t.exchange({ client: spa, code, verifier })).status).toBe(200);
  });
});
