/**
 * `redirectLocation` (lib/respond/redirect.ts): where the authorization endpoint
 * sends its answer. RFC 6749 §3.1.2: the registered redirect URI's own query is kept; §4.1.2 /
 * §4.1.2.1: the response parameters and `state` go in the query (code flow); §4.2.2: in the
 * fragment (implicit grant); RFC 9207 §2: `iss` always.
 */
import { type RedirectTarget, redirectLocation } from '../../lib/respond/redirect';

const ISSUER = 'https://issuer.example';

function target(overrides: Partial<RedirectTarget> = {}): RedirectTarget {
  return {
    redirectUri: 'https://client.example/callback',
    state: 'xyz',
    issuer: ISSUER,
    responseMode: 'query',
    ...overrides,
  };
}

describe('redirectLocation', () => {
  it('§4.1.2: adds the parameters, state and iss to the query', () => {
    const url = new URL(redirectLocation(target(), { code: 'eoc_1' }));
    expect(`${url.origin}${url.pathname}`).toBe('https://client.example/callback');
    expect([...url.searchParams]).toEqual([
      ['code', 'eoc_1'],
      ['state', 'xyz'],
      ['iss', ISSUER],
    ]);
    expect(url.hash).toBe('');
  });

  it('§3.1.2: keeps the registered URI’s own query parameters', () => {
    const url = new URL(
      redirectLocation(target({ redirectUri: 'https://client.example/cb?tenant=7&x=a%20b' }), {
        error: 'access_denied',
      }),
    );
    expect(url.searchParams.get('tenant')).toBe('7');
    expect(url.searchParams.get('x')).toBe('a b');
    expect(url.searchParams.get('error')).toBe('access_denied');
  });

  it('leaves out undefined parameters, and state when the request had none', () => {
    const url = new URL(
      redirectLocation(target({ state: undefined }), {
        error: 'invalid_scope',
        error_description: undefined,
      }),
    );
    expect([...url.searchParams.keys()]).toEqual(['error', 'iss']);
  });

  it('encodes whatever the values hold, so they come back intact', () => {
    const state = 'ü💥<script>"&=?#';
    const url = new URL(
      redirectLocation(target({ state }), { error: 'invalid_request', error_description: 'a&b=c' }),
    );
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.get('error_description')).toBe('a&b=c');
  });

  it('the provider’s parameters win over a registered query parameter of the same name', () => {
    const url = new URL(
      redirectLocation(target({ redirectUri: 'https://client.example/cb?state=registered' }), {}),
    );
    expect(url.searchParams.getAll('state')).toEqual(['xyz']);
  });

  it('§4.2.2: the implicit grant answers in the fragment, leaving the registered query alone', () => {
    const answer = redirectLocation(
      target({ redirectUri: 'https://client.example/cb?tenant=7', responseMode: 'fragment' }),
      { access_token: 'eoa_1', token_type: 'bearer' },
    );
    const url = new URL(answer);
    expect(url.search).toBe('?tenant=7');
    expect([...new URLSearchParams(url.hash.slice(1))]).toEqual([
      ['access_token', 'eoa_1'],
      ['token_type', 'bearer'],
      ['state', 'xyz'],
      ['iss', ISSUER],
    ]);
  });
});
