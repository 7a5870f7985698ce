/**
 * lib/http/parse-body.ts: how a request's body and query become OAuth parameters. RFC 6749 §3.1:
 * parameters are single strings and never repeated; §3.2 / DESIGN: the token endpoint takes a form
 * or JSON, with or without the host's own body parsers; RFC 6750 §2.2: the form body's
 * `access_token`; the settings API takes JSON objects only (415 otherwise). Real requests over a
 * socket (test/support/requests.ts), no provider.
 */
import { request as httpRequest } from 'node:http';
import express from 'express';
import { InvalidRequestError, OAuthError } from '../../lib/errors/oauth-error';
import {
  bodyKind,
  formAccessToken,
  queryParameters,
  readJsonObject,
  readParameters,
  toParameters,
} from '../../lib/http/parse-body';
import { onRequest, resultOf, thrownBy } from '../support/requests';
import { UserAgent } from '../support/user-agent';

const LIMIT = 1024;

/** POSTs `body` with `contentType` (none when `null`) to `url`. */
function post(
  body: string | Uint8Array | undefined,
  contentType: string | null = 'application/x-www-form-urlencoded',
) {
  return (url: string) =>
    new UserAgent(url).send('/', {
      method: 'POST',
      body,
      headers: contentType === null ? {} : { 'content-type': contentType },
    });
}

/** `readParameters` on a POST, and what it left on `req.body`. */
function readPosted(
  body: string | undefined,
  contentType: string | null = 'application/x-www-form-urlencoded',
) {
  return onRequest(
    async (req) => {
      const params = await readParameters(req, LIMIT);
      return { params, left: req.body as unknown };
    },
    post(body, contentType),
  );
}

function expectInvalidRequest(error: unknown, message: RegExp): void {
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
  expect((error as Error).message).toMatch(message);
}

describe('bodyKind: what the Content-Type says the body is', () => {
  it.each([
    ['application/x-www-form-urlencoded', 'form'],
    ['application/x-www-form-urlencoded; charset=UTF-8', 'form'],
    ['APPLICATION/X-WWW-FORM-URLENCODED', 'form'],
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/vnd.api+json', 'json'],
    ['text/plain', null],
    ['multipart/form-data; boundary=x', null],
    ['application/', null],
    [null, null],
  ])('%s → %s', async (contentType, kind) => {
    expect(resultOf(await onRequest((req) => bodyKind(req), post('x', contentType)))).toBe(kind);
  });
});

describe('readParameters: the body of a POST as string parameters', () => {
  it('reads a form, and leaves it on req.body for later middleware', async () => {
    const { params, left } = resultOf(await readPosted('grant_type=client_credentials&scope=repo+gist'));
    expect({ ...params }).toEqual({ grant_type: 'client_credentials', scope: 'repo gist' });
    expect(left).toBe(params);
  });

  it('keeps keys like __proto__ as plain parameters (no prototype is touched)', async () => {
    const { params } = resultOf(await readPosted('__proto__=x&constructor=y'));
    expect(Object.getPrototypeOf(params)).toBeNull();
    expect(Object.entries(params)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('§3.1: refuses a repeated parameter, naming it', async () => {
    expectInvalidRequest(thrownBy(await readPosted('scope=a&scope=b')), /Parameter "scope" is repeated/);
  });

  it('reads a JSON object of strings; null values are absent', async () => {
    const { params } = resultOf(
      await readPosted('{"grant_type":"refresh_token","scope":null}', 'application/json'),
    );
    expect({ ...params }).toEqual({ grant_type: 'refresh_token' });
  });

  it.each([
    ['a number', '{"scope":5}', /Parameter "scope" must be a single string/],
    ['an array value', '{"grant_type":["x"]}', /Parameter "grant_type" must be a single string/],
    ['an object value', '{"grant_type":{"$ne":null}}', /must be a single string/],
    ['an array body', '["x"]', /must be an object of parameters/],
    ['a string body', '"x"', /must be an object of parameters/],
    ['broken JSON', '{"grant_type":', /not valid JSON/],
  ])('refuses JSON with %s', async (_label, body, message) => {
    expectInvalidRequest(thrownBy(await readPosted(body, 'application/json')), message);
  });

  it('an empty JSON body is no parameters', async () => {
    expect({ ...resultOf(await readPosted('', 'application/json')).params }).toEqual({});
  });

  it('a body of another content type is refused; no body at all is no parameters', async () => {
    expectInvalidRequest(
      thrownBy(await readPosted('grant_type=x', 'text/plain')),
      /must be application\/x-www-form-urlencoded or application\/json/,
    );
    expect({ ...resultOf(await readPosted(undefined, null)).params }).toEqual({});
  });

  it('a declared Content-Length beyond the limit → 413, before reading', async () => {
    const error = thrownBy(await readPosted(`x=${'y'.repeat(LIMIT)}`));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: 'invalid_request', status: 413 });
  });

  it('a chunked body (no Content-Length) that grows beyond the limit → 413', async () => {
    const outcome = await onRequest(
      (req) => readParameters(req, LIMIT),
      (url) =>
        new Promise<void>((resolve, reject) => {
          const call = httpRequest(`${url}/`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
          });
          call.on('response', (response) => response.resume().on('end', resolve));
          call.on('error', reject);
          for (let i = 0; i < 8; i += 1) call.write(`x${i}=${'y'.repeat(256)}&`);
          call.end();
        }),
    );
    expect(thrownBy(outcome)).toMatchObject({ code: 'invalid_request', status: 413 });
  });

  it("takes a body the host's parser already read from req.body, with the same checks", async () => {
    const parsedForm = await onRequest(
      (req) => readParameters(req, LIMIT),
      post('grant_type=client_credentials'),
      (app) => app.use(express.urlencoded({ extended: false })),
    );
    expect({ ...resultOf(parsedForm) }).toEqual({ grant_type: 'client_credentials' });
    // express.urlencoded({ extended: true }) turns `a[]=x` into an array: not a single string.
    const nested = await onRequest(
      (req) => readParameters(req, LIMIT),
      post('client_id[]=a&client_id[]=b'),
      (app) => app.use(express.urlencoded({ extended: true })),
    );
    expectInvalidRequest(thrownBy(nested), /Parameter "client_id" must be a single string/);
  });
});

describe('toParameters: an already parsed body', () => {
  it('is no parameters when absent, and refuses anything but an object', () => {
    expect({ ...toParameters(undefined) }).toEqual({});
    expect({ ...toParameters(null) }).toEqual({});
    expect(() => toParameters('grant_type=x')).toThrow(InvalidRequestError);
    expect(() => toParameters([['grant_type', 'x']])).toThrow(/must be an object of parameters/);
  });
});

describe('queryParameters: the query string, from the raw URL', () => {
  const query = (path: string) =>
    onRequest(
      (req) => ({ ...queryParameters(req) }),
      (url) => new UserAgent(url).send(path),
    );

  it('reads each parameter once, decoded', async () => {
    expect(resultOf(await query('/authorize?client_id=abc&scope=repo%20gist&state=%C3%BC'))).toEqual({
      client_id: 'abc',
      scope: 'repo gist',
      state: 'ü',
    });
    expect(resultOf(await query('/authorize'))).toEqual({});
  });

  it('§3.1: refuses a repeated parameter whatever the host query parser does with it', async () => {
    expectInvalidRequest(thrownBy(await query('/authorize?scope=a&scope=b')), /"scope" is repeated/);
    // `client_id[]` is a parameter of its own name here, not an array.
    expect(resultOf(await query('/authorize?client_id[]=a'))).toEqual({ 'client_id[]': 'a' });
  });
});

describe("formAccessToken: RFC 6750 §2.2's form-body access_token", () => {
  it('reads it, and leaves the body on req.body as express.urlencoded would (repeated keys as arrays)', async () => {
    const outcome = await onRequest(async (req) => {
      const token = await formAccessToken(req, LIMIT);
      return { token, left: { ...(req.body as Record<string, unknown>) } };
    }, post('access_token=tok&note=a&note=b'));
    expect(resultOf(outcome)).toEqual({ token: 'tok', left: { access_token: 'tok', note: ['a', 'b'] } });
  });

  it('is undefined without one, and refuses it twice', async () => {
    expect(resultOf(await onRequest((req) => formAccessToken(req, LIMIT), post('note=a')))).toBeUndefined();
    expectInvalidRequest(
      thrownBy(await onRequest((req) => formAccessToken(req, LIMIT), post('access_token=a&access_token=b'))),
      /access_token must be a single string/,
    );
  });

  it("uses the host's parsed body, refusing a token that is not one string", async () => {
    const parser = (app: express.Express) => app.use(express.urlencoded({ extended: true }));
    expect(
      resultOf(await onRequest((req) => formAccessToken(req, LIMIT), post('access_token=tok'), parser)),
    ).toBe('tok');
    expectInvalidRequest(
      thrownBy(await onRequest((req) => formAccessToken(req, LIMIT), post('access_token[x]=tok'), parser)),
      /single string/,
    );
  });
});

describe('readJsonObject: the settings API takes JSON objects only', () => {
  const readJson = (body: string | undefined, contentType: string | null) =>
    onRequest((req) => readJsonObject(req, LIMIT), post(body, contentType));

  it('reads an object; an empty body is an empty object', async () => {
    expect(resultOf(await readJson('{"name":"x","scopes":["repo"]}', 'application/json'))).toEqual({
      name: 'x',
      scopes: ['repo'],
    });
    expect(resultOf(await readJson('', 'application/json'))).toEqual({});
  });

  it('a form or text body → 415 (a cross-site HTML form cannot send JSON)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', null]) {
      expect(thrownBy(await readJson('name=x', type))).toMatchObject({
        code: 'invalid_request',
        status: 415,
      });
    }
  });

  it('JSON that is not an object → 400', async () => {
    expectInvalidRequest(thrownBy(await readJson('[1]', 'application/json')), /must be a JSON object/);
    expectInvalidRequest(thrownBy(await readJson('null', 'application/json')), /must be a JSON object/);
    expectInvalidRequest(thrownBy(await readJson('{"name":', 'application/json')), /not valid JSON/);
  });
});
