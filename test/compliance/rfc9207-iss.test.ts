/**
 * RFC 9207 (authorization server issuer identification): §2 `iss` in every authorization
 * response, success and error, equal to the metadata's issuer (§2.4); §3 the metadata flag.
 */
import request from 'supertest';
import {
  authorizeQuery,
  cookiesOf,
  hiddenFields,
  ISSUER,
  locationParams,
  makeTestProvider,
  USER_HEADER,
} from '../support/provider-harness';

describe('RFC 9207 §2: iss in authorization responses', () => {
  it('§2: a successful response carries iss equal to the metadata issuer', async () => {
    const t = makeTestProvider();
    const client = await t.registerApp();
    const metadata = (await request(t.app).get('/.well-known/oauth-authorization-server')).body;
    const page = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client }))
      .set(USER_HEADER, 'alice');
    const approved = await request(t.app)
      .post('/oauth/authorize')
      .set(USER_HEADER, 'alice')
      .set('Cookie', cookiesOf(page))
      .type('form')
      .send({ ...hiddenFields(page.text), decision: 'approve' });
    const params = locationParams(approved);
    expect(params.get('code')).toMatch(/^eoc_/);
    expect(params.get('iss')).toBe(ISSUER);
    expect(params.get('iss')).toBe(metadata.issuer);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('§2: a response that skips consent carries iss too', async () => {
    const t = makeTestProvider();
    const client = await t.registerApp();
    await t.authorize({ client, scope: 'user' });
    const skipped = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client, scope: 'user' }))
      .set(USER_HEADER, 'alice');
    expect(skipped.status).toBe(302);
    expect(locationParams(skipped).get('iss')).toBe(ISSUER);
  });

  it('§2: error responses carry iss (a redirected error and a denial)', async () => {
    const t = makeTestProvider();
    const client = await t.registerApp();
    const error = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client, scope: 'nope' }))
      .set(USER_HEADER, 'alice');
    expect(locationParams(error).get('error')).toBe('invalid_scope');
    expect(locationParams(error).get('iss')).toBe(ISSUER);

    const page = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client }))
      .set(USER_HEADER, 'alice');
    const denied = await request(t.app)
      .post('/oauth/authorize')
      .set(USER_HEADER, 'alice')
      .set('Cookie', cookiesOf(page))
      .type('form')
      .send({ ...hiddenFields(page.text), decision: 'deny' });
    expect(locationParams(denied).get('error')).toBe('access_denied');
    expect(locationParams(denied).get('iss')).toBe(ISSUER);
  });

  it('§2: iss is the exact configured issuer, also with a path', async () => {
    const t = makeTestProvider({ issuer: 'https://sso.example/tenant-a' });
    const client = await t.registerApp();
    const error = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client, scope: 'nope' }))
      .set(USER_HEADER, 'alice');
    expect(locationParams(error).get('iss')).toBe('https://sso.example/tenant-a');
  });

  it('§2: the iss the client receives is not overridable by the request', async () => {
    const t = makeTestProvider();
    const client = await t.registerApp();
    const query = { ...authorizeQuery({ client, scope: 'nope' }), iss: 'https://evil.example' };
    const response = await request(t.app).get('/oauth/authorize').query(query).set(USER_HEADER, 'alice');
    expect(locationParams(response).getAll('iss')).toEqual([ISSUER]);
  });
});
