/**
 * lib/guards/bearer-token.ts: where a request carries its bearer token (RFC 6750 §2): the
 * `Authorization` header (§2.1, scheme name case-insensitive, the b64token syntax), the
 * `access_token` query parameter (§2.3, if enabled) or a form body's `access_token` (§2.2, if
 * enabled, non-GET form posts only); never more than one method (§2, `invalid_request`).
 */
import { InvalidRequestError } from '../../lib/errors/oauth-error';
import { extractBearerToken, type TokenSources } from '../../lib/guards/bearer-token';
import { onRequest, resultOf, thrownBy } from '../support/requests';
import { type SendOptions, UserAgent } from '../support/user-agent';

const ALL: TokenSources = { allowQueryAccessToken: true, allowBodyAccessToken: true, bodyLimit: 1024 };

/** `extractBearerToken` for a request to `path` sent with `options`. */
function extract(path: string, options: SendOptions = {}, sources: TokenSources = ALL) {
  return onRequest(
    async (req) => (await extractBearerToken(req, sources))?.token ?? null,
    (url) => new UserAgent(url).send(path, options),
  );
}

const header = (authorization: string): SendOptions => ({ headers: { authorization } });

function expectInvalidRequest(error: unknown, message: RegExp): void {
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect((error as Error).message).toMatch(message);
}

describe('RFC 6750 §2.1: the Authorization header', () => {
  it.each(['Bearer', 'bearer', 'BEARER'])('reads the token after "%s"', async (scheme) => {
    expect(resultOf(await extract('/', header(`${scheme} eoa_abc-._~+/=`)))).toBe('eoa_abc-._~+/=');
  });

  it('allows several spaces before and after the token', async () => {
    expect(resultOf(await extract('/', header('Bearer   tok  ')))).toBe('tok');
  });

  it.each([
    ['no token', 'Bearer'],
    ['a second word', 'Bearer a b'],
    ['a quote', 'Bearer tok"en'],
    ['padding before the end', 'Bearer to=ken'],
  ])('a malformed Bearer header (%s) → invalid_request', async (_label, value) => {
    expectInvalidRequest(thrownBy(await extract('/', header(value))), /Malformed Authorization header/);
  });

  it('another scheme is no bearer token', async () => {
    expect(resultOf(await extract('/', header('Basic dXNlcjpwYXNz')))).toBeNull();
    expect(resultOf(await extract('/', header('Bearertoken')))).toBeNull();
    expect(resultOf(await extract('/'))).toBeNull();
  });
});

describe('RFC 6750 §2.3: the access_token query parameter', () => {
  it('is read when allowed, decoded', async () => {
    expect(resultOf(await extract('/api?x=1&access_token=tok%2Ben'))).toBe('tok+en');
  });

  it('is read from the query string only: "/files/report.pdf&access_token=…" (no "?") carries none (audit finding 6)', async () => {
    expect(resultOf(await extract('/files/report.pdf&access_token=tok'))).toBeNull();
    expect(resultOf(await extract('/files/a&access_token=tok?x=1'))).toBeNull();
  });

  it('is ignored when not allowed', async () => {
    expect(
      resultOf(await extract('/api?access_token=tok', {}, { ...ALL, allowQueryAccessToken: false })),
    ).toBeNull();
  });

  it('sent twice → invalid_request', async () => {
    expectInvalidRequest(thrownBy(await extract('/api?access_token=a&access_token=b')), /sent once/);
  });
});

describe('RFC 6750 §2.2: the form body access_token', () => {
  const form = (fields: Record<string, string>, method = 'POST'): SendOptions => ({ method, form: fields });

  it('is read from a form POST', async () => {
    expect(resultOf(await extract('/', form({ access_token: 'tok', other: 'x' })))).toBe('tok');
  });

  it('is not read from a JSON body, nor when not allowed', async () => {
    expect(resultOf(await extract('/', { json: { access_token: 'tok' } }))).toBeNull();
    expect(
      resultOf(await extract('/', form({ access_token: 'tok' }), { ...ALL, allowBodyAccessToken: false })),
    ).toBeNull();
  });

  it('a form POST without one is no token', async () => {
    expect(resultOf(await extract('/', form({ note: 'x' })))).toBeNull();
  });
});

describe('RFC 6750 §2: one method per request', () => {
  it.each([
    ['header and query', '/api?access_token=a', header('Bearer b')],
    ['header and form body', '/', { ...header('Bearer b'), form: { access_token: 'a' } }],
    ['query and form body', '/api?access_token=a', { form: { access_token: 'b' } }],
  ])('%s → invalid_request', async (_label, path, options) => {
    expectInvalidRequest(thrownBy(await extract(path, options)), /more than one method/);
  });
});
