/**
 * lib/clients/client-credentials.ts: which client a token, revocation or introspection request
 * presents, and how (RFC 6749 §2.3). §2.3.1: HTTP Basic with the id and secret form-urlencoded
 * before base64 (RFC 7617 §2: the scheme name is case-insensitive), or `client_id` and
 * `client_secret` in the body; §2.3: one method per request. A failed Basic authentication
 * carries a `WWW-Authenticate: Basic` challenge (§5.2).
 */
import { presentedClient } from '../../lib/clients/client-credentials';
import { InvalidClientError, InvalidRequestError } from '../../lib/errors/oauth-error';
import { basicAuth } from '../support/oauth';
import { onRequest, resultOf, thrownBy } from '../support/requests';
import { UserAgent } from '../support/user-agent';

/** `presentedClient` for a request with this `Authorization` header (none when `null`) and body parameters. */
function presented(authorization: string | null, params: Record<string, string> = {}) {
  return onRequest(
    (req) => presentedClient(req, params),
    (url) => new UserAgent(url).send('/', { headers: authorization === null ? {} : { authorization } }),
  );
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function expectBasicFailure(error: unknown): void {
  expect(error).toBeInstanceOf(InvalidClientError);
  expect(error).toMatchObject({ code: 'invalid_client', status: 401 });
  expect((error as InvalidClientError).headers['WWW-Authenticate']).toMatch(/^Basic realm="/);
}

describe('RFC 6749 §2.3.1: HTTP Basic', () => {
  it('decodes the id and secret, form-urlencoded before base64', async () => {
    const id = 'client:with spaces&ü';
    const secret = 'eos_a:b%c+d';
    expect(resultOf(await presented(basicAuth(id, secret)))).toEqual({
      clientId: id,
      clientSecret: secret,
      method: 'client_secret_basic',
    });
  });

  it('reads `+` as a space, as form encoding does', async () => {
    expect(resultOf(await presented(`Basic ${base64('my+client:s+cret')}`))).toMatchObject({
      clientId: 'my client',
      clientSecret: 's cret',
    });
  });

  it('RFC 7617 §2: accepts any case of the scheme name and trailing spaces', async () => {
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
      expect(resultOf(await presented(`${scheme} ${base64('id:secret')}  `))).toMatchObject({
        clientId: 'id',
      });
    }
  });

  it('an empty secret is a presented (and wrong) secret, not a public client', async () => {
    expect(resultOf(await presented(`Basic ${base64('id:')}`))).toEqual({
      clientId: 'id',
      clientSecret: '',
      method: 'client_secret_basic',
    });
  });

  it.each([
    ['no colon', `Basic ${base64('nocolon')}`],
    ['broken percent-encoding', `Basic ${base64('%zz:secret')}`],
  ])('malformed credentials (%s) → 401 invalid_client with a Basic challenge', async (_label, header) => {
    expectBasicFailure(thrownBy(await presented(header)));
  });

  it('§2.3: Basic and client_secret together → invalid_request', async () => {
    const error = thrownBy(await presented(basicAuth('id', 'secret'), { client_secret: 'secret' }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/one client authentication method/);
  });

  it('§2.3: a body client_id must name the same client as Basic', async () => {
    expect(resultOf(await presented(basicAuth('id', 'secret'), { client_id: 'id' }))).toMatchObject({
      clientId: 'id',
      method: 'client_secret_basic',
    });
    const error = thrownBy(await presented(basicAuth('id', 'secret'), { client_id: 'other' }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/does not match/);
  });
});

describe('RFC 6749 §2.3.1: credentials in the body, and public clients', () => {
  it('client_id and client_secret → client_secret_post', async () => {
    expect(resultOf(await presented(null, { client_id: 'id', client_secret: 's' }))).toEqual({
      clientId: 'id',
      clientSecret: 's',
      method: 'client_secret_post',
    });
  });

  it('client_id alone → none (a public client, or a confidential one that forgot its secret)', async () => {
    expect(resultOf(await presented(null, { client_id: 'id' }))).toEqual({
      clientId: 'id',
      clientSecret: null,
      method: 'none',
    });
  });

  it('an Authorization header of another scheme (or unparseable Basic) is not client authentication', async () => {
    expect(resultOf(await presented('Bearer eoa_x', { client_id: 'id' }))).toMatchObject({ method: 'none' });
    expect(resultOf(await presented('Basic !!!', { client_id: 'id' }))).toMatchObject({ method: 'none' });
  });

  it('no client at all, or an empty client_id → 401 invalid_client, without a Basic challenge', async () => {
    const cases: Record<string, string>[] = [{}, { client_id: '' }];
    for (const params of cases) {
      const error = thrownBy(await presented(null, params));
      expect(error).toBeInstanceOf(InvalidClientError);
      expect((error as InvalidClientError).headers).toEqual({});
    }
  });
});
