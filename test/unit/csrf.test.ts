/**
 * lib/http/csrf.ts: CSRF tokens for the provider's forms (RFC 6749 §10.12, DESIGN "CSRF on every
 * state-changing request") without the host's session store: a random per-browser secret in an
 * HttpOnly SameSite cookie, and a form token that is an HMAC of that secret and the user's id, so
 * a token is good only for this browser, this user and this provider's key.
 */
import { MemoryAdapter } from '../../adapters/memory';
import { issueCsrfToken, verifyCsrfToken } from '../../lib/http/csrf';
import { type ResolvedOptions, resolveOptions } from '../../lib/options/resolve-options';
import { onRequest, resultOf } from '../support/requests';
import { UserAgent } from '../support/user-agent';

function options(csrfSecret: string, issuer = 'https://issuer.example'): ResolvedOptions {
  return resolveOptions({
    adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
    issuer,
    scopes: { user: { description: 'Profile' } },
    currentUser: () => null,
    loginUrl: '/login',
    csrfSecret,
  });
}

const KEY = options('csrf-test-key-one');

/** Issues a token for `user` to a browser sending `cookie` (none when `null`): the token and the Set-Cookie lines. */
async function issue(user: string, cookie: string | null = null, resolved = KEY) {
  let setCookies: string[] = [];
  const token = resultOf(
    await onRequest(
      (req, res) => issueCsrfToken(req, res, user, resolved),
      async (url) => {
        setCookies = (await new UserAgent(url).send('/', { headers: cookie === null ? {} : { cookie } }))
          .setCookies;
      },
    ),
  );
  return { token, setCookies, cookie: cookie ?? (setCookies[0] ?? '').split(';')[0] ?? '' };
}

describe('issueCsrfToken', () => {
  it('sets an HttpOnly, SameSite=Lax, path-wide cookie with a 256-bit secret (Secure on https)', async () => {
    const { token, setCookies } = await issue('alice');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookies).toHaveLength(1);
    expect(setCookies[0]).toMatch(/^eo_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const plain = await issue('alice', null, options('csrf-test-key-one', 'http://localhost:3000'));
    expect(plain.setCookies[0]).not.toContain('Secure');
  });

  it("reuses the browser's secret: the same user gets the same token, another user another one", async () => {
    const alice = await issue('alice');
    const again = await issue('alice', alice.cookie);
    expect(again.token).toBe(alice.token);
    // The cookie is set once: the browser already holds it.
    expect(again.setCookies).toEqual([]);
    expect((await issue('bob', alice.cookie)).token).not.toBe(alice.token);
  });

  it('replaces a cookie that is not a well-formed secret', async () => {
    const replaced = await issue('alice', 'eo_csrf=short');
    expect(replaced.setCookies).toEqual([expect.stringMatching(/^eo_csrf=[A-Za-z0-9_-]{43};/)]);
  });
});

describe('verifyCsrfToken', () => {
  const issued = () => issue('alice');

  const posting = (cookie: string | null, user: string, token: string | undefined, resolved = KEY) =>
    onRequest(
      (req) => verifyCsrfToken(req, user, token, resolved),
      (url) => new UserAgent(url).send('/', { headers: cookie === null ? {} : { cookie } }),
    );

  it('accepts the token in the browser and for the user it was issued to', async () => {
    const { token, cookie } = await issued();
    expect(resultOf(await posting(cookie, 'alice', token))).toBe(true);
  });

  it.each([
    ['another user', (t: string, c: string) => [c, 'bob', t] as const],
    ['another browser (no cookie)', (t: string) => [null, 'alice', t] as const],
    ['another browser (its own secret)', (t: string) => [`eo_csrf=${'A'.repeat(43)}`, 'alice', t] as const],
    [
      'a changed token',
      (t: string, c: string) => [c, 'alice', `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`] as const,
    ],
    ['a token of another length', (t: string, c: string) => [c, 'alice', `${t}x`] as const],
    ['no token', (_t: string, c: string) => [c, 'alice', undefined] as const],
  ])('refuses %s', async (_label, change) => {
    const { token, cookie } = await issued();
    const [sentCookie, user, sentToken] = change(token, cookie);
    expect(resultOf(await posting(sentCookie, user, sentToken))).toBe(false);
  });

  it("refuses a token made with another provider's key", async () => {
    const { token, cookie } = await issued();
    expect(resultOf(await posting(cookie, 'alice', token, options('csrf-test-key-two')))).toBe(false);
  });
});
