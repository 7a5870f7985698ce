/**
 * RFC 9207 (authorization server issuer identification): §2 `iss` in every authorization
 * response, success and error, equal to the metadata's issuer (§2.4); §3 the metadata flag.
 */
import request from 'supertest';
import { ISSUER } from '../support/fixtures';
import { decide, openAuthorize } from '../support/flows';
import { authorizeQuery, locationParams } from '../support/oauth';
import { createTestHost } from '../support/test-host';

describe('RFC 9207 §2: iss in authorization responses', () => {
  it('§2: a successful response carries iss equal to the metadata issuer', async () => {
    const t = await createTestHost();
    const client = await t.registerApp({ trust: 'host' });
    const metadata = (await request(t.app).get('/.well-known/oauth-authorization-server')).body;
    const approved = await decide(t.browser(), authorizeQuery({ client }), 'approve');
    const params = locationParams(approved);
    expect(params.get('code')).toMatch(/^eoc_/);
    expect(params.get('iss')).toBe(ISSUER);
    expect(params.get('iss')).toBe(metadata.issuer);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('§2: a response that skips consent carries iss too', async () => {
    const t = await createTestHost();
    const client = await t.registerApp({ trust: 'host' });
    await t.authorize({ client, scope: 'user' });
    const skipped = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'user' }));
    expect(skipped.status).toBe(302);
    expect(locationParams(skipped).get('iss')).toBe(ISSUER);
  });

  it('§2: error responses carry iss (a redirected error and a denial)', async () => {
    const t = await createTestHost();
    const client = await t.registerApp({ trust: 'host' });
    const error = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'nope' }));
    expect(locationParams(error).get('error')).toBe('invalid_scope');
    expect(locationParams(error).get('iss')).toBe(ISSUER);

    const denied = await decide(t.browser(), authorizeQuery({ client }), 'deny');
    expect(locationParams(denied).get('error')).toBe('access_denied');
    expect(locationParams(denied).get('iss')).toBe(ISSUER);
  });

  it('§2: iss is the exact configured issuer, also with a path', async () => {
    const t = await createTestHost({ issuer: 'https://sso.example/tenant-a' });
    const client = await t.registerApp({ trust: 'host' });
    const error = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'nope' }));
    expect(locationParams(error).get('iss')).toBe('https://sso.example/tenant-a');
  });

  it('§2: the iss the client receives is not overridable by the request', async () => {
    const t = await createTestHost();
    const client = await t.registerApp({ trust: 'host' });
    const query = { ...authorizeQuery({ client, scope: 'nope' }), iss: 'https://evil.example' };
    const response = await openAuthorize(t.browser(), query);
    expect(locationParams(response).getAll('iss')).toEqual([ISSUER]);
  });
});
