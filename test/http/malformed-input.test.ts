/**
 * DESIGN "Errors and bad input": every endpoint answers malformed input with the RFC's error
 * object and a 4xx status, never a 500 or a stack trace.
 */
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { expectNoLeak, expectRfcError } from '../support/assertions';
import { USER_HEADER, WITH_DEVICE_GRANT } from '../support/fixtures';
import { consentPage } from '../support/flows';
import { listen } from '../support/listen';
import { authorizeQuery, basicAuth } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;
let basic: string;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp({ trust: 'host' });
  basic = basicAuth(client.clientId, client.clientSecret ?? '');
});

afterEach(() => {
  // Nothing in this file is an unexpected failure of the provider.
  expect(t.errors).toEqual([]);
});

/** The authorization endpoint answers with its HTML error page or an error redirect. */
function expectAuthorizeRefusal(response: request.Response) {
  expectNoLeak(response);
  if (response.status === 302) {
    const location = new URL(String(response.headers.location));
    expect(location.searchParams.get('error')).toMatch(/^[a-z_]+$/);
    expect(location.searchParams.get('code')).toBeNull();
    return;
  }
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.location).toBeUndefined();
  if (/^text\/html/.test(String(response.headers['content-type']))) {
    expect(response.text).toMatch(/invalid_[a-z]+/);
  } else {
    expectRfcError(response);
  }
}

function token() {
  return request(t.app).post('/oauth/token').set('Authorization', basic);
}

describe('POST /oauth/token', () => {
  it.each([
    ['text/plain', 'grant_type=client_credentials'],
    ['application/xml', '<grant_type>client_credentials</grant_type>'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nx\r\n--x--',
    ],
    ['application/octet-stream', 'grant_type=client_credentials'],
  ])('wrong content type %s → 400 invalid_request', async (type, body) => {
    const response = await token().set('Content-Type', type).send(body);
    expectRfcError(response, 400);
    expect(response.body.error).toBe('invalid_request');
  });

  it.each([
    ['truncated JSON', '{"grant_type":'],
    ['single quotes', "{'grant_type':'client_credentials'}"],
    ['a JSON array', '["client_credentials"]'],
    ['a JSON string', '"client_credentials"'],
    ['a JSON number', '42'],
    ['an array value', '{"grant_type":["client_credentials"]}'],
    ['an object value', '{"grant_type":{"$ne":null}}'],
    ['a number value', '{"grant_type":"client_credentials","scope":5}'],
    ['a boolean value', '{"grant_type":true}'],
    ['a __proto__ object', '{"__proto__":{"grant_type":"client_credentials"}}'],
  ])('broken or ill-typed JSON (%s) → 400 invalid_request', async (_label, body) => {
    const response = await token().set('Content-Type', 'application/json').send(body);
    expectRfcError(response, 400);
    expect(response.body.error).toBe('invalid_request');
  });

  it.each([
    ['client_id[]=a&client_id[]=b', 'client_id[]=a&client_id[]=b&grant_type=client_credentials'],
    ['grant_type[]=x', 'grant_type[]=client_credentials'],
    ['grant_type[a]=x', 'grant_type[a]=client_credentials'],
    ['a repeated grant_type', 'grant_type=client_credentials&grant_type=client_credentials'],
    ['a repeated scope', 'grant_type=client_credentials&scope=repo&scope=gist'],
  ])('arrays or repeated parameters in a form (%s) → 4xx', async (_label, body) => {
    const response = await token().type('form').send(body);
    expectRfcError(response);
  });

  it('an empty body → 400 invalid_request', async () => {
    expectRfcError(await token(), 400);
    expectRfcError(await token().type('form').send(''), 400);
    expectRfcError(await token().set('Content-Type', 'application/json').send(''), 400);
  });

  it('an oversized body → 413 with the error object', async () => {
    const big = `grant_type=client_credentials&scope=${'x'.repeat(20_000)}`;
    const response = await token().type('form').send(big);
    expectRfcError(response, 413);
    expect(response.body.error).toBe('invalid_request');
  });

  it('an oversized chunked body (no Content-Length) → 413, and the server stays healthy', async () => {
    const server = await listen(t.app);
    try {
      const port = Number(new URL(server.url).port);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const call = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/oauth/token',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => {
              body += chunk.toString('utf8');
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        call.on('error', reject);
        call.write('grant_type=client_credentials&junk=');
        for (let i = 0; i < 40; i++) call.write('x'.repeat(1024));
        call.end();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error).toBe('invalid_request');
      expect((await request(server.server).get('/.well-known/oauth-authorization-server')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('an oversized JSON body → 413', async () => {
    const response = await token()
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ grant_type: 'client_credentials', junk: 'y'.repeat(40_000) }));
    expectRfcError(response, 413);
  });

  it('unicode junk → 4xx, not 500', async () => {
    const junk = ['\u0000', '\uFFFF', '💥', '\u202E', 'é'.normalize('NFD'), '\uD800'].join('');
    for (const field of ['grant_type', 'scope', 'code', 'refresh_token']) {
      const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', [field]: junk });
      expectRfcError(await token().type('form').send(body.toString()));
    }
    expectRfcError(await token().type('form').send('grant_type=%E0%A4%A&code=%ZZ%00'));
    expectRfcError(
      await token()
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe, 0xc3, 0x28])),
    );
  });

  it('huge scope strings → invalid_scope, not 500', async () => {
    const unknown = await token()
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'z'.repeat(15_000) });
    expectRfcError(unknown, 400);
    expect(unknown.body.error).toBe('invalid_scope');
    expect(unknown.body.error_description.length).toBeLessThan(200);
    const many = await token()
      .type('form')
      .send(`grant_type=client_credentials&scope=${'ci:status+'.repeat(1500)}`);
    expect(many.status).toBe(200);
    expect(many.body.scope).toBe('ci:status');
  });

  it('a malformed Basic header → 4xx', async () => {
    for (const header of [
      'Basic',
      'Basic !!!',
      'Basic bm9jb2xvbg==',
      `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
    ]) {
      const response = await request(t.app)
        .post('/oauth/token')
        .set('Authorization', header)
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expectRfcError(response);
    }
  });

  it('wrong HTTP methods do not reach the grant machinery with a 500', async () => {
    const response = await request(t.app).get('/oauth/token');
    expectNoLeak(response);
    expect(response.status).toBe(404);
  });
});

describe('GET /oauth/authorize', () => {
  it.each([
    [
      'client_id[]=a&client_id[]=b',
      (q: Record<string, string>) => `client_id[]=a&client_id[]=b&state=${q.state}`,
    ],
    [
      'a repeated client_id',
      (q: Record<string, string>) => `client_id=${q.client_id}&client_id=${q.client_id}`,
    ],
    ['a repeated scope', (q: Record<string, string>) => `${new URLSearchParams(q)}&scope=repo&scope=gist`],
    ['a repeated redirect_uri', (q: Record<string, string>) => `${new URLSearchParams(q)}&redirect_uri=x`],
    ['broken percent-encoding', (q: Record<string, string>) => `client_id=${q.client_id}%ZZ&state=%E0%A4%A`],
    ['unicode junk in every parameter', () => `client_id=%00%F0%9F%92%A5&redirect_uri=%E2%80%AE&scope=%FF`],
    ['no parameters at all', () => ''],
    [
      'a huge scope',
      (q: Record<string, string>) => `${new URLSearchParams({ ...q, scope: 'q'.repeat(6000) })}`,
    ],
  ])('%s → 4xx page or error redirect', async (_label, build) => {
    const query = build(authorizeQuery({ client }));
    const response = await request(t.app).get(`/oauth/authorize?${query}`).set(USER_HEADER, 'alice');
    expectAuthorizeRefusal(response);
  });

  it('a state with unicode junk is returned intact, encoded', async () => {
    const state = 'ü💥<script>"&=?#';
    const response = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client, state, scope: 'nope' }))
      .set(USER_HEADER, 'alice');
    expect(response.status).toBe(302);
    expect(new URL(String(response.headers.location)).searchParams.get('state')).toBe(state);
  });
});

describe('POST /oauth/authorize', () => {
  /** alice's consent form and her browser's CSRF cookie. */
  async function consent() {
    const alice = t.browser();
    const { fields } = await consentPage(alice, authorizeQuery({ client }));
    return { fields, cookie: alice.cookieHeader() };
  }

  function post(cookie: string) {
    return request(t.app).post('/oauth/authorize').set(USER_HEADER, 'alice').set('Cookie', cookie);
  }

  it.each([
    ['text/plain', 'decision=approve'],
    ['application/json', '{"decision":'],
    ['application/json', '["approve"]'],
    ['application/json', '{"client_id":["a","b"]}'],
    ['application/x-www-form-urlencoded', 'client_id[]=a&client_id[]=b'],
    ['application/x-www-form-urlencoded', 'decision=approve&decision=deny'],
    ['application/x-www-form-urlencoded', '%FF%00=%E0%A4%A'],
  ])('%s body %s → 4xx, no code', async (type, body) => {
    const { cookie } = await consent();
    const response = await post(cookie).set('Content-Type', type).send(body);
    expectAuthorizeRefusal(response);
  });

  it('an empty body → 4xx', async () => {
    const { cookie } = await consent();
    expectAuthorizeRefusal(await post(cookie));
  });

  it('an oversized body → 413, no code', async () => {
    const { fields, cookie } = await consent();
    const response = await post(cookie)
      .type('form')
      .send({ ...fields, decision: 'approve', junk: 'j'.repeat(20_000) });
    expectNoLeak(response);
    expect(response.status).toBe(413);
    expect(response.headers.location).toBeUndefined();
  });

  it('an array where a string belongs in an otherwise valid form → 4xx, no code', async () => {
    const { fields, cookie } = await consent();
    const body = `${new URLSearchParams({ ...fields, decision: 'approve' })}&csrf_token=again`;
    expectAuthorizeRefusal(await post(cookie).type('form').send(body));
  });
});

describe('the settings JSON API', () => {
  function api(method: 'post' | 'patch', path: string) {
    return request(t.app)[method](`/settings/api${path}`).set(USER_HEADER, 'alice');
  }

  it.each([
    ['broken JSON', '{"name":'],
    ['a JSON array', '[{"name":"x"}]'],
    ['a JSON string', '"x"'],
    ['null', 'null'],
  ])('POST /applications with %s → 400 invalid_request', async (_label, body) => {
    const response = await api('post', '/applications').set('Content-Type', 'application/json').send(body);
    expectRfcError(response, 400);
  });

  it('a wrong content type → 415 with the error object', async () => {
    const form = await api('post', '/applications').type('form').send({ name: 'x' });
    expectRfcError(form, 415);
    const text = await api('post', '/tokens').set('Content-Type', 'text/plain').send('{"name":"x"}');
    expectRfcError(text, 415);
  });

  it('an oversized body → 413', async () => {
    const response = await api('post', '/applications').send({ name: 'n'.repeat(40_000) });
    expectRfcError(response, 413);
  });

  it.each([
    [
      'name as an array',
      { name: ['a'], homepage_url: 'https://a.example', redirect_uris: ['https://a.example/cb'] },
      'name',
    ],
    [
      'redirect_uris as a string',
      { name: 'a', homepage_url: 'https://a.example', redirect_uris: 'https://a.example/cb' },
      'redirect_uris',
    ],
    [
      'redirect_uris with a number',
      { name: 'a', homepage_url: 'https://a.example', redirect_uris: [42] },
      'redirect_uris[0]',
    ],
    [
      'confidential as a string',
      {
        name: 'a',
        homepage_url: 'https://a.example',
        redirect_uris: ['https://a.example/cb'],
        confidential: 'yes',
      },
      'confidential',
    ],
    [
      'scopes as an object',
      {
        name: 'a',
        homepage_url: 'https://a.example',
        redirect_uris: ['https://a.example/cb'],
        scopes: { repo: true },
      },
      'scopes',
    ],
    [
      'unicode control characters in name',
      { name: 'a\u0000b', homepage_url: 'https://a.example', redirect_uris: ['https://a.example/cb'] },
      'name',
    ],
    [
      'a huge name',
      { name: 'n'.repeat(5000), homepage_url: 'https://a.example', redirect_uris: ['https://a.example/cb'] },
      'name',
    ],
  ])('POST /applications with %s → 400 naming the field', async (_label, body, field) => {
    const response = await api('post', '/applications').send(body);
    expectRfcError(response, 400);
    expect(response.body.error_description).toContain(field);
  });

  it('POST /tokens with ill-typed fields → 400 naming the field', async () => {
    const scopes = await api('post', '/tokens').send({ name: 'x', scopes: [1, 2] });
    expectRfcError(scopes, 400);
    expect(scopes.body.error_description).toContain('scopes');
    const expires = await api('post', '/tokens').send({ name: 'x', scopes: ['repo'], expires_in: '3600' });
    expectRfcError(expires, 400);
    expect(expires.body.error_description).toContain('expires_in');
  });

  it('a malformed id in the path → 4xx, not 500', async () => {
    for (const path of ['/applications/%ZZ', '/applications/%E0%A4%A', '/applications/%00']) {
      const response = await request(t.app).get(`/settings/api${path}`).set(USER_HEADER, 'alice');
      expectNoLeak(response);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('PATCH with broken JSON → 400', async () => {
    const created = await api('post', '/applications').send({
      name: 'a',
      homepage_url: 'https://a.example',
      redirect_uris: ['https://a.example/cb'],
    });
    const response = await api('patch', `/applications/${created.body.id}`)
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expectRfcError(response, 400);
  });
});

describe('the bearer guards', () => {
  it('an oversized form body → 413, not 500', async () => {
    const response = await request(t.app)
      .post('/api/me')
      .type('form')
      .send(`access_token=x&junk=${'j'.repeat(20_000)}`);
    expectRfcError(response, 413);
  });

  it('access_token twice in a form body → 400 invalid_request', async () => {
    const response = await request(t.app).post('/api/me').type('form').send('access_token=a&access_token=b');
    expectRfcError(response, 400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('unicode junk as a token → 401 invalid_token or 400, never 500', async () => {
    const headerJunk = await request(t.app).get('/api/me').set('Authorization', 'Bearer \u00ff\u00fe');
    expectRfcError(headerJunk);
    const queryJunk = await request(t.app).get('/api/me?access_token=%F0%9F%92%A5%00%ZZ');
    expectRfcError(queryJunk, 401);
    expect(queryJunk.body.error).toBe('invalid_token');
  });
});

/**
 * The endpoints added after the token and authorization tests above were written: revocation,
 * introspection and device authorization take the same malformed bodies and answer the RFC error,
 * never a 5xx; the settings API's body-less writes without a content type are refused with 415.
 */
describe('POST /oauth/revoke, /oauth/introspect, /oauth/device/code: malformed bodies', () => {
  let host: TestHost;
  let auth: string;
  beforeEach(async () => {
    host = await createTestHost({ grantTypes: WITH_DEVICE_GRANT });
    const registered = await host.registerApp();
    auth = basicAuth(registered.clientId, registered.clientSecret ?? '');
  });

  const bodies: [string, string, string][] = [
    ['text/plain', 'token=x', 'a wrong content type'],
    ['application/json', '{"token":', 'truncated JSON'],
    ['application/json', '{"token":["a","b"]}', 'an array value'],
    ['application/x-www-form-urlencoded', 'token=a&token=b', 'a repeated parameter'],
    ['application/x-www-form-urlencoded', `token=${'x'.repeat(20_000)}`, 'an oversized body'],
  ];
  for (const path of ['/oauth/revoke', '/oauth/introspect', '/oauth/device/code']) {
    it.each(bodies)(`${path} with %s (%s) → 4xx RFC error`, async (type, body) => {
      const response = await request(host.app)
        .post(path)
        .set('Authorization', auth)
        .set('Content-Type', type)
        .send(body);
      expectNoLeak(response);
      expect([response.status, host.errors.map(String)]).toEqual([expect.any(Number), []]);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectRfcError(response);
    });
  }

  it('settings API writes without a body or content type → 415 (finding 4)', async () => {
    for (const [method, path] of [
      ['post', '/settings/api/applications/x/secret'],
      ['post', '/settings/api/applications/x/revoke-tokens'],
      ['delete', '/settings/api/tokens/x'],
    ] as const) {
      const response = await request(host.app)[method](path).set(USER_HEADER, 'alice');
      expect(response.status).toBe(415);
      expectRfcError(response, 415);
    }
  });
});
